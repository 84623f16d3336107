"""Malicious uploads are refused with a clear message and nothing saved: too large, too many rows,
XML entity expansion ("billion laughs"), zip bombs, and files that are not spreadsheets. Uploads are
kept in the database (never on disk, never executed) and erased when the import ends."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from openpyxl import Workbook

from actions.imports import reading, tables
from actions.imports.problems import ImportRefused
from actions.models import Action, ActionPlanImport, DeliveryGroup

# A document type declaration whose entities expand to a billion "lol"s.
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)
XML_REFUSED = "The file contains XML declarations (entities or a DTD)"


def workbook(rows=(("Objective", "Action", "Lead"), ("1 Identify repeat victims", "Do it", "Lena Lead"))):
    book = Workbook()
    sheet = book.active
    sheet.title = "Victim"
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods():
    import tablib

    data = tablib.Dataset(headers=["Delivery group", "Objective", "Action", "Lead"])
    data.append(["Victim", "1 Identify repeat victims", "Do it", "Lena Lead"])
    return data.export("ods")


def rewrite(content, member, transform):
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, transform(data) if info.filename == member else data)
    return out.getvalue()


def with_laughs(data):
    text = data.decode()
    body = text[text.index("?>") + 2 :] if text.startswith("<?xml") else text
    return (LAUGHS + body.replace("Do it", "&lol9;")).encode()


def zip_bomb(unpacked=tables.MAX_UNPACKED_BYTES + 1024 * 1024):
    """A valid workbook plus one member of zeros that unpacks to more than the limit (~250 KB packed)."""
    out = io.BytesIO(workbook())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(unpacked // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def lying_zip():
    """A member whose central directory claims 10 bytes but whose data unpacks to 50 MB."""
    content = rewrite(workbook(), "xl/worksheets/sheet1.xml", lambda data: data + b" " * (50 * 1024 * 1024))
    archive = bytearray(content)
    name = b"xl/worksheets/sheet1.xml"
    # Patch the uncompressed size in the central directory entry (offset 24 from its signature).
    at = archive.rfind(b"PK\x01\x02", 0, archive.rfind(name))
    archive[at + 24 : at + 28] = (10).to_bytes(4, "little")
    return bytes(archive)


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "docProps/core.xml"]
)
def test_entity_expansion_in_any_part_of_a_workbook_is_refused(member):
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(rewrite(workbook(), member, with_laughs), "laughs.xlsx")
    assert XML_REFUSED in str(refused.value.problems[0])


def test_entity_expansion_in_an_ods_is_refused():
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(rewrite(ods(), "content.xml", with_laughs), "laughs.ods")
    assert XML_REFUSED in str(refused.value.problems[0])


def test_an_external_entity_is_refused():
    def external(data):
        text = data.decode()
        body = text[text.index("?>") + 2 :] if text.startswith("<?xml") else text
        return (
            ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body)
            .replace("Do it", "&e;")
            .encode()
        )

    with pytest.raises(ImportRefused) as refused:
        reading.read_file(rewrite(workbook(), "xl/worksheets/sheet1.xml", external), "xxe.xlsx")
    assert XML_REFUSED in str(refused.value.problems[0])


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(bomb, "bomb.xlsx")
    assert "unpacks to more than 250 MB" in str(refused.value.problems[0])


def test_a_zip_that_lies_about_its_unpacked_size_is_refused():
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(lying_zip(), "liar.xlsx")
    assert "could not be read as an Excel workbook" in str(refused.value.problems[0])


def test_size_is_checked_before_anything_is_read(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(tables, "file_kind", never)
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(b"a" * (reading.MAX_BYTES + 1), "big.csv")
    assert "the largest file that can be imported is 10 MB" in str(refused.value.problems[0])


def rows_read(monkeypatch):
    """The rows the importer's layout reader was given, counted."""
    given = []
    read_sheet = reading._read_sheet

    def counting(sheet, rows, *args, **kwargs):
        return read_sheet(sheet, (given.append(number) or (number, values) for number, values in rows), *args, **kwargs)

    monkeypatch.setattr(reading, "_read_sheet", counting)
    return given


def test_rows_are_counted_as_they_stream_and_stop_at_the_limit(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 100)
    given = rows_read(monkeypatch)
    text = "Delivery group,Objective,Action\n" + "Victim,1 Objective,Do it\n" * 200
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(text.encode(), "many.csv")
    assert "more than 100 rows" in str(refused.value.problems[0])
    assert len(given) == 1 + 101  # the header, and rows up to the first one past the limit


def test_a_workbook_that_declares_a_million_rows_is_counted_not_trusted(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 100)
    rows = [("Objective", "Action", "Lead")] + [("1 Objective", f"Action {n}", "Lena Lead") for n in range(150)]
    with pytest.raises(ImportRefused) as refused:
        reading.read_file(workbook(rows), "many.xlsx")
    assert "more than 100 rows" in str(refused.value.problems[0])


# Through the import page: a clear message, nothing saved -----------------------------------------


def upload(client, content, name):
    return client.post(
        "/imports/new/",
        {"strategy": "", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.fixture
def officer_client(client, officer, plan):
    client.force_login(officer)
    return client


def snapshot():
    return (
        list(Action.objects.order_by("pk").values_list("pk", "text", "status", "archived_at")),
        list(DeliveryGroup.objects.order_by("pk").values_list("pk", "name")),
    )


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: rewrite(workbook(), "xl/worksheets/sheet1.xml", with_laughs), "laughs.xlsx", XML_REFUSED),
        (zip_bomb, "bomb.xlsx", "unpacks to more than 250 MB"),
        (lambda: b"<html><script>alert(1)</script></html>", "page.html", "has no header row"),
        (lambda: b"%PDF-1.7 not a spreadsheet", "plan.pdf", "is not a spreadsheet"),
        (lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "plan.exe", "is not a spreadsheet"),
    ],
)
def test_malicious_uploads_are_refused_with_a_message_and_nothing_saved(officer_client, plan, make, name, message):
    before = snapshot()
    response = officer_client.post(
        "/imports/new/",
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile(name, make())},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before
    record = ActionPlanImport.objects.get()
    assert record.state == ActionPlanImport.State.REFUSED
    assert bytes(record.file_content) == b""  # erased once the import ended


def test_a_file_over_the_limit_is_refused_by_the_form_before_it_is_read(officer_client, plan, monkeypatch):
    monkeypatch.setattr(reading, "read_file", lambda *a, **k: pytest.fail("the file was read"))
    response = officer_client.post(
        "/imports/new/",
        {"strategy": plan["strategy"].pk, "file": SimpleUploadedFile("big.xlsx", b"PK" + b"\0" * (10 * 1024 * 1024))},
    )
    assert response.status_code == 200
    assert "it must be smaller than 10 MB" in response.content.decode()
    assert not ActionPlanImport.objects.exists()


def test_indicator_value_uploads_are_refused_the_same_way(client, officer, plan):
    from performance.models import Indicator

    Indicator.objects.create(strategy=plan["strategy"], ref="KPI-1", name="Repeat victims")
    client.force_login(officer)
    response = client.post(
        "/indicators/imports/new/",
        {
            "strategy": plan["strategy"].pk,
            "file": SimpleUploadedFile("laughs.xlsx", rewrite(workbook(), "xl/worksheets/sheet1.xml", with_laughs)),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert XML_REFUSED in response.content.decode()


def test_uploads_are_kept_in_the_database_never_as_files():
    """No model has a FileField: an upload is bytes in a row, never a file the web server could serve or run."""
    from django.apps import apps

    file_fields = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert file_fields == []
    assert isinstance(ActionPlanImport._meta.get_field("file_content"), models.BinaryField)
