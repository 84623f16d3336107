"""What the API says about each item. Each kind has a public shape (what the public pages show:
public wording, reviewed figures) and, for keys, a fuller one with the internal fields.

Status and RAG come as at a quarter when the rows carry the as_at_* annotations
(ActionQuerySet.as_at_end_of), else as they stand now; `quarter` says which.
"""

from rest_framework import serializers

from actions.models import RAG, Action, DeliveryGroup, Objective, Status
from performance.models import Indicator, IndicatorValue
from publicsite.content import OPEN_GOVERNMENT_LICENCE, OPEN_GOVERNMENT_LICENCE_URL
from strategy.models import Partnership, Strategy
from strategy.periods import Quarter


class PartnershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = ["id", "name", "short_name", "slug", "area", "public_help"]


class StrategySerializer(serializers.ModelSerializer):
    closed_quarters = serializers.SerializerMethodField(
        help_text="Quarters whose update round is closed (reviewed figures), newest first, like 2025-Q2: "
        "the values `as_at` takes on the strategy's actions."
    )
    license = serializers.SerializerMethodField()
    license_url = serializers.SerializerMethodField()
    principles = serializers.SerializerMethodField()
    strategic_objectives = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = [
            "id",
            "partnership",
            "title",
            "slug",
            "start_date",
            "end_date",
            "vision",
            "summary",
            "principles",
            "strategic_objectives",
            "closed_quarters",
            "license",
            "license_url",
        ]

    def get_closed_quarters(self, strategy) -> list[str]:
        quarters = sorted((Quarter(r.year, r.number) for r in strategy.closed_rounds), reverse=True)
        return [quarter.slug for quarter in quarters]

    def get_license(self, strategy) -> str:
        return OPEN_GOVERNMENT_LICENCE

    def get_license_url(self, strategy) -> str:
        return OPEN_GOVERNMENT_LICENCE_URL

    def get_principles(self, strategy) -> list[str]:
        return [principle.title for principle in strategy.principles.all()]

    def get_strategic_objectives(self, strategy) -> list[dict]:
        return [{"number": s.number, "title": s.title} for s in strategy.strategic_objectives.all()]


class KeyStrategySerializer(StrategySerializer):
    class Meta(StrategySerializer.Meta):
        fields = [*StrategySerializer.Meta.fields, "status", "marking", "published"]


class DeliveryGroupSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField(help_text="The group's public wording, else its aim.")

    class Meta:
        model = DeliveryGroup
        fields = ["id", "strategy", "name", "code", "position", "description"]

    def get_description(self, group) -> str:
        return group.public_wording or group.aim


class KeyDeliveryGroupSerializer(DeliveryGroupSerializer):
    chair = serializers.StringRelatedField()

    class Meta(DeliveryGroupSerializer.Meta):
        fields = [*DeliveryGroupSerializer.Meta.fields, "aim", "public_wording", "chair", "marking", "held_back"]


class ObjectiveSerializer(serializers.ModelSerializer):
    strategy = serializers.IntegerField(source="delivery_group.strategy_id", read_only=True)
    title = serializers.CharField(source="public_title", read_only=True, help_text="In its public wording, if any.")

    class Meta:
        model = Objective
        fields = ["id", "strategy", "delivery_group", "number", "title", "strategic_objective"]


class KeyObjectiveSerializer(ObjectiveSerializer):
    title = serializers.CharField(read_only=True)

    class Meta(ObjectiveSerializer.Meta):
        fields = [*ObjectiveSerializer.Meta.fields, "public_wording", "marking", "held_back"]


class ActionSerializer(serializers.ModelSerializer):
    delivery_group = serializers.IntegerField(source="objective.delivery_group_id", read_only=True)
    reference = serializers.CharField(source="ref", read_only=True)
    action = serializers.CharField(source="public_text", read_only=True, help_text="In its public wording, if any.")
    quarter = serializers.SerializerMethodField(
        help_text="The closed quarter the state is as at (2025-Q2), or null: the state now (keys only)."
    )
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    rag = serializers.SerializerMethodField()
    rag_label = serializers.SerializerMethodField()
    public_note = serializers.SerializerMethodField(help_text="The note for residents written in that quarter.")

    class Meta:
        model = Action
        fields = [
            "id",
            "strategy",
            "delivery_group",
            "objective",
            "reference",
            "action",
            "quarter",
            "status",
            "status_label",
            "rag",
            "rag_label",
            "public_note",
        ]

    @property
    def as_at(self):
        return self.context.get("quarter")

    def _state(self, action):
        """(status, rag) as at the quarter, None when there is no quarter and no live state to give."""
        if self.as_at is not None:
            return action.as_at_status, action.as_at_rag
        if self.context.get("live"):
            return action.status, action.rag
        return None, None

    def get_quarter(self, action) -> str | None:
        return self.as_at.slug if self.as_at is not None else None

    def get_status(self, action) -> str | None:
        return self._state(action)[0]

    def get_status_label(self, action) -> str | None:
        status = self._state(action)[0]
        return Status(status).label if status else None

    def get_rag(self, action) -> str | None:
        return self._state(action)[1] or None

    def get_rag_label(self, action) -> str | None:
        rag = self._state(action)[1]
        return RAG(rag).label if rag else None

    def get_public_note(self, action) -> str | None:
        return getattr(action, "as_at_public_note", None) if self.as_at is not None else None


class KeyActionSerializer(ActionSerializer):
    leads = serializers.SerializerMethodField()
    lead_organisation = serializers.StringRelatedField()
    deadline = serializers.CharField(source="deadline_text", read_only=True)
    progress = serializers.SerializerMethodField()
    revised_due_date = serializers.SerializerMethodField()

    class Meta(ActionSerializer.Meta):
        fields = [
            *ActionSerializer.Meta.fields,
            "text",
            "public_wording",
            "kpi",
            "baseline",
            "target",
            "deadline",
            "due_date",
            "revised_due_date",
            "progress",
            "leads",
            "lead_organisation",
            "last_updated_at",
            "marking",
            "held_back",
        ]

    def get_public_note(self, action) -> str | None:
        if self.as_at is None:
            return None
        return action.as_at_public_note

    def get_leads(self, action) -> list[str]:
        return [link.label for link in action.lead_links.all()]

    def get_progress(self, action) -> int:
        return action.as_at_progress if self.as_at is not None else action.progress

    def get_revised_due_date(self, action) -> str | None:
        day = action.as_at_revised_due_date if self.as_at is not None else action.revised_due_date
        return day.isoformat() if day else None


class IndicatorSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="ref", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "strategy",
            "delivery_group",
            "reference",
            "name",
            "description",
            "unit",
            "decimal_places",
            "polarity",
            "kind",
            "frequency",
            "target_kind",
            "target_value",
            "comparator_name",
        ]


class KeyIndicatorSerializer(IndicatorSerializer):
    class Meta(IndicatorSerializer.Meta):
        fields = [
            *IndicatorSerializer.Meta.fields,
            "definition",
            "data_source",
            "baseline_value",
            "baseline_period",
            "amber_tolerance",
            "marking",
        ]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator_reference = serializers.CharField(source="indicator.ref", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "indicator_reference",
            "period",
            "period_start",
            "period_end",
            "value",
            "comparator_value",
        ]

    def get_period(self, value) -> str:
        return str(value.period)


class KeyIndicatorValueSerializer(IndicatorValueSerializer):
    class Meta(IndicatorValueSerializer.Meta):
        fields = [
            *IndicatorValueSerializer.Meta.fields,
            "data_to",
            "numerator",
            "denominator",
            "commentary",
            "data_quality_note",
            "entered_at",
        ]
