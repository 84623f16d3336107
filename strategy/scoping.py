"""How a model's rows reach their partnership and the markings that hide them: `Scoping`.

Each scoped model declares its Scoping once (`scoping = Scoping(...)` on the model). Its queryset's
`visible_to`, the back office and the audit log all scope rows with that declaration through
`strategy.permissions.scope`; a history row copies its model's links, so it is scoped by the same one.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scoping:
    # The lookup path to the partnership ("strategy__partnership"), or for rows with no link to it a
    # function (queryset, partnership id) -> the partnership's rows.
    partnership: object
    # Paths to the markings every row has: a row is seen only by those cleared for each.
    marking: tuple = ()
    # Paths through a link a row may lack (a meeting's delivery group): a row is hidden by the marking
    # at the end of one only when the link is there.
    marking_if_linked: tuple = ()
    # Links of which a row has at most one, as its table's constraint holds (what a challenge is
    # about: an action, an objective or a group).
    one_of: tuple = ()

    def through(self, link, *, marking=(), marking_if_linked=(), one_of=()):
        """The scoping of a model whose rows belong to a row of this one through `link`, with the
        markings of its own (`marking`, `marking_if_linked`) first, and its own `one_of`."""
        return Scoping(
            partnership=f"{link}__{self.partnership}",
            marking=(*marking, *(f"{link}__{path}" for path in self.marking)),
            marking_if_linked=(*marking_if_linked, *(f"{link}__{path}" for path in self.marking_if_linked)),
            one_of=one_of,
        )

    def beyond(self, link):
        """This scoping for rows reached from one row, at the end of `link`, that the user has already
        been found to see (an action page's challenges, from its action): the markings through that
        link were checked with that row, so they are not joined and checked again. Nor are those
        through the other links of `one_of` when `link` is one of them: the rows have none of those."""
        unlinked = [other for other in self.one_of if other != link] if link in self.one_of else []
        through = tuple(f"{each}__" for each in (link, *unlinked))
        return replace(
            self,
            marking=tuple(path for path in self.marking if not path.startswith(through)),
            marking_if_linked=tuple(path for path in self.marking_if_linked if not path.startswith(through)),
        )
