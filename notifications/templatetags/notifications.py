"""The Follow / Unfollow button on an action's page (the actions app cannot import this one)."""

from django import template

from notifications.models import Follow
from strategy import permissions

register = template.Library()


@register.inclusion_tag("includes/_follow_button.html", takes_context=True)
def follow_button(context, action):
    user = context["request"].user
    if not permissions.can_follow_action(user, action):
        return {"show": False}
    return {
        "show": True,
        "action": action,
        "following": Follow.objects.filter(user=user, action=action).exists(),
        "csrf_token": context.get("csrf_token"),
    }
