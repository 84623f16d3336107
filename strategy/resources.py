"""The back office's spreadsheets of partner organisations and people (django-import-export), and
what the other apps' back-office spreadsheets build on (`PartnershipRowsResource`, the widgets).

An export is the change list as its user sees it (the admin's scoped queryset), one row per line,
formula-looking text escaped as every spreadsheet the site writes. An import lands every row in one
partnership: an officer's own (a row naming another partnership is refused), or for the
administrator, who belongs to none, the partnership the row names. Rows are matched by name (or
reference) within that partnership only, saved one at a time so the audit trail records each change
as it records any back-office edit, and a file with any problem saves nothing.
"""

from functools import cached_property

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from strategy import permissions
from strategy.formulas import escape_formula, unescape_formula
from strategy.models import Marking, Organisation, Partnership, Person, name_key


def cell_text(value):
    """A cell as text, without the spaces around it (blank for none)."""
    return "" if value is None else str(value).strip()


class YesNoWidget(widgets.Widget):
    """A yes/no column written "Yes" or "No"; read from yes/no, true/false, 1/0 (blank is no)."""

    READ = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).casefold()
        if not text:
            return False
        if text not in self.READ:
            raise ValueError(f"Write Yes or No, not “{value}”.")
        return self.READ[text]

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as the change list shows it (its label); read from the label or the stored
    value, any case (blank is the model's default)."""

    def __init__(self, choices, *, default, **kwargs):
        self.choices = choices
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).casefold()
        if not text:
            return self.default
        for stored, label in self.choices.choices:
            if text in (stored.casefold(), str(label).casefold()):
                return stored
        raise ValueError(f"“{value}” is not one of: {', '.join(map(str, self.choices.labels))}.")

    def render(self, value, obj=None, **kwargs):
        return self.choices(value).label if value else ""


class MarkingWidget(widgets.Widget):
    """A handling marking written as its label (OFFICIAL-SENSITIVE), read as Marking.from_text reads it
    (blank is OFFICIAL)."""

    def clean(self, value, row=None, **kwargs):
        return Marking.from_text(cell_text(value)).value

    def render(self, value, obj=None, **kwargs):
        return Marking(value).label if value else ""


class PartnershipOrganisationWidget(widgets.ForeignKeyWidget):
    """A partner organisation named in a row, looked up in that row's partnership only."""

    def __init__(self, resource_rows, **kwargs):
        self.resource_rows = resource_rows
        super().__init__(Organisation, "name", **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return Organisation.objects.filter(partnership=self.resource_rows.row_partnership)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(cell_text(value), row, **kwargs)
        except Organisation.DoesNotExist:
            partnership = self.resource_rows.row_partnership
            raise ValueError(f"{partnership} has no partner organisation called “{value}”.") from None


class BackOfficeResource(resources.ModelResource):
    """A back-office spreadsheet: `acting_user` is who imports or exports it."""

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class PartnershipRowsResource(BackOfficeResource):
    """Rows of one partnership, matched by their `import_id_fields` column (a name) within it."""

    # Columns every file must have besides the identifying one.
    required_columns = ()

    partnership = fields.Field(
        attribute="partnership",
        column_name="partnership",
        widget=widgets.ForeignKeyWidget(Partnership, "name"),
        readonly=True,
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.row_partnership = None

    class Meta:
        import_id_fields = ["name"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        use_bulk = False  # one save per row: simple-history records it with the request's user

    @cached_property
    def own_partnership(self):
        found = permissions.partnership_id(self.acting_user)
        return Partnership.objects.get(pk=found) if found else None

    def partnership_of(self, row):
        """The partnership a row lands in: the officer's own, whatever the file says; the
        administrator's rows name theirs."""
        named = cell_text(row.get("partnership"))
        if not self.acting_user.is_superuser:
            own = self.own_partnership
            if named and named != own.name:
                raise ValidationError(
                    f"This row names the partnership “{named}”: rows are imported into {own.name} only."
                )
            return own
        found = Partnership.objects.filter(name=named).first()
        if found is None:
            raise ValidationError(
                f"There is no partnership called “{named}”." if named else "Name the row's partnership."
            )
        return found

    def before_import(self, dataset, **kwargs):
        # Headings as people type them ("Short name") read as the export writes them ("short_name").
        dataset.headers = [cell_text(heading).casefold().replace(" ", "_") for heading in dataset.headers or []]
        for column in [self.identity, *self.required_columns]:
            if column not in dataset.headers:
                columns = ", ".join(self._meta.fields)
                raise ValueError(f"The file has no {column} column. Its first row names the columns: {columns}.")

    @property
    def identity(self):
        """The column a row is matched by."""
        return self._meta.import_id_fields[0]

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = unescape_formula(value)
        if not cell_text(row.get(self.identity)):
            raise ValidationError(f"This row has no {self.identity}.")
        self.row_partnership = self.partnership_of(row)

    def get_instance(self, instance_loader, row):
        return self.matching(row).first()

    def import_instance(self, instance, row, **kwargs):
        # Set first: a row with a bad cell is still validated whole, and must not be told it lacks the
        # partnership that no file sets.
        if instance.pk is None:
            self.place(instance)
        super().import_instance(instance, row, **kwargs)

    def place(self, instance):
        """Put a new row where the file's row belongs: in the row's partnership."""
        instance.partnership = self.row_partnership


class OrganisationResource(PartnershipRowsResource):
    responsible_authority = fields.Field(
        attribute="responsible_authority", column_name="responsible_authority", widget=YesNoWidget()
    )

    class Meta(PartnershipRowsResource.Meta):
        model = Organisation
        name = "Partner organisations"
        fields = ["name", "short_name", "responsible_authority", "partnership"]
        export_order = fields

    def matching(self, row):
        return Organisation.objects.filter(partnership=self.row_partnership, name=cell_text(row["name"]))


class PersonResource(PartnershipRowsResource):
    kind = fields.Field(
        attribute="kind", column_name="kind", widget=ChoiceLabelWidget(Person.Kind, default=Person.Kind.PERSON)
    )
    user = fields.Field(attribute="user__username", column_name="user", readonly=True)

    class Meta(PartnershipRowsResource.Meta):
        model = Person
        name = "People and teams"
        fields = ["name", "kind", "job_title", "organisation", "email", "user"]
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["organisation"] = fields.Field(
            attribute="organisation", column_name="organisation", widget=PartnershipOrganisationWidget(self)
        )

    def matching(self, row):
        return Person.objects.filter(partnership=self.row_partnership, name_key=name_key(cell_text(row["name"])))

    def import_instance(self, instance, row, **kwargs):
        # Person.save sets the key, but the model is validated (its unique name) before saving, a row
        # with a bad cell too.
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            instance.name_key = name_key(instance.name or "")
