"""Importing and exporting departments from Excel and CSV, all or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from xiuhua.accounts.importers import (
    department_template,
    export_departments,
    import_departments,
    parse_uscc,
    uscc_check_character,
)
from xiuhua.accounts.models import Department, User
from xiuhua.core.errors import ImportRejected
from xiuhua.core.models import AuditEntry

HEADER = ["单位名称", "单位代码", "简称", "类型", "统一社会信用代码", "行政区划代码", "联系人", "联系电话"]
GOOD_USCC = "91350100M000100Y43"  # the example of GB 32100-2015


BASE = "/admin/accounts/department/"


def workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_uscc_check_character_follows_gb_32100():
    assert uscc_check_character(GOOD_USCC[:17]) == "3"
    assert parse_uscc(GOOD_USCC.lower()) == GOOD_USCC
    with pytest.raises(ValueError, match="校验位"):
        parse_uscc(GOOD_USCC[:17] + "4")
    with pytest.raises(ValueError, match="18 位"):
        parse_uscc("91350100M000100I43")  # I is not used


@pytest.mark.django_db
def test_good_file_creates_departments_and_an_audit_entry():
    content = workbook(
        ["海盐县城市管理局", "chengguan", "城管局", "专业部门", GOOD_USCC, "330424", "王伟", 13800138000],
        ["海盐县武原街道办事处", "wuyuan", "武原街道", "街道(镇)", "", "330424001", "", "0573-86012345"],
    )
    result = import_departments(content, filename="units.xlsx")
    assert (result.created, result.updated) == (2, 0)
    department = Department.objects.get(short_name="chengguan")
    assert department.kind == "professional" and department.credit_code == GOOD_USCC
    assert department.contact_phone == "13800138000" and department.active
    assert Department.objects.get(short_name="wuyuan").kind == "subdistrict"
    assert AuditEntry.objects.filter(action="accounts.departments_imported", target="units.xlsx").exists()


@pytest.mark.django_db
def test_reimport_updates_by_short_code_and_keeps_absent_columns():
    import_departments(workbook(["城管局全称", "chengguan", "城管局", "专业部门", "", "", "王伟", "1"]))
    csv = "单位代码,单位名称,类型\nchengguan,海盐县城市管理局,企业\n".encode("gb18030")
    result = import_departments(csv, filename="units.csv")
    assert (result.created, result.updated) == (0, 1)
    department = Department.objects.get(short_name="chengguan")
    assert department.name == "海盐县城市管理局" and department.kind == "company"
    assert department.contact_person == "王伟"  # no such column in the second file


@pytest.mark.django_db
def test_file_with_three_bad_rows_lists_each_and_writes_nothing():
    Department.objects.create(name="已有单位", short_name="old", kind="professional")
    content = workbook(
        ["好单位", "good", "", "专业部门", "", "", "", ""],
        ["坏代码", "Bad Code!", "", "专业部门", "", "", "", ""],
        ["坏类型", "kind", "", "政府", "", "", "", ""],
        ["坏信用代码", "uscc", "", "企业", GOOD_USCC[:17] + "0", "", "", ""],
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_departments(content, filename="units.xlsx")
    errors = excinfo.value.errors
    assert [(e.row, e.column) for e in errors] == [(3, "单位代码"), (4, "类型"), (5, "统一社会信用代码")]
    assert Department.objects.count() == 1


@pytest.mark.django_db
def test_name_used_by_another_department_is_rejected():
    Department.objects.create(name="海盐县住建局", short_name="zhujian", kind="professional")
    with pytest.raises(ImportRejected) as excinfo:
        import_departments(workbook(["海盐县住建局", "jianshe", "", "专业部门", "", "", "", ""]))
    assert "已被单位代码「zhujian」使用" in excinfo.value.errors[0].message


@pytest.mark.django_db
def test_wrong_file_type_is_rejected_in_chinese():
    with pytest.raises(ImportRejected) as excinfo:
        import_departments(b"\x89PNG\r\n\x1a\n\x00\x00", filename="units.xlsx")
    assert "PNG 图片" in excinfo.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_round_trips(demo_city, fmt):
    exported = export_departments(fmt)
    result = import_departments(exported.content, filename=exported.filename)
    assert (result.created, result.updated, result.unchanged) == (0, 0, Department.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_example_row_imports(fmt):
    template = department_template(fmt)
    assert import_departments(template.content, filename=template.filename).created == 1


@pytest.mark.django_db
def test_cli_exits_non_zero_and_lists_errors_on_a_bad_file(tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位代码,类型\n甲,bad code,专业部门\n乙,ok,外星部门\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_departments", str(path))
    err = capsys.readouterr().err
    assert "第 2 行「单位代码」列" in err and "第 3 行「类型」列" in err
    assert not Department.objects.exists()


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", password="unused-password-123"))
    return client


@pytest.mark.django_db
def test_admin_changelist_has_import_export_and_template_buttons(admin_client):
    page = admin_client.get(BASE).content.decode()
    assert f'href="{BASE}import/"' in page and ">导入<" in page
    assert f"{BASE}export/?format=xlsx" in page and f"{BASE}template/?format=xlsx" in page


@pytest.mark.django_db
def test_admin_import_page_rejects_a_bad_file_listing_every_error(admin_client):
    content = workbook(
        ["好单位", "good", "", "专业部门", "", "", "", ""],
        ["坏代码", "Bad Code!", "", "专业部门", "", "", "", ""],
        ["坏类型", "kind", "", "政府", "", "", "", ""],
    )
    response = admin_client.post(f"{BASE}import/", {"file": SimpleUploadedFile("units.xlsx", content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "共 2 处错误，未写入任何数据" in page
    assert "第 3 行" in page and "单位代码" in page and "第 4 行" in page and "政府" in page
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_admin_import_of_a_good_file_redirects_with_a_message(admin_client):
    content = workbook(["海盐县城市管理局", "chengguan", "城管局", "专业部门", "", "", "", ""])
    response = admin_client.post(f"{BASE}import/", {"file": SimpleUploadedFile("units.xlsx", content)}, follow=True)
    assert response.redirect_chain[-1][0] == BASE
    assert "单位导入完成：新增 1 条" in response.content.decode()
    assert Department.objects.filter(short_name="chengguan").exists()


@pytest.mark.django_db
def test_admin_rejects_a_wrong_file_type_in_chinese(admin_client):
    upload = SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00")
    response = admin_client.post(f"{BASE}import/", {"file": upload})
    assert response.status_code == 400 and "PNG 图片" in response.content.decode()


@pytest.mark.django_db
def test_admin_export_and_template_download_as_attachments(admin_client):
    Department.objects.create(name="海盐县城市管理局", short_name="chengguan", kind="professional")
    export = admin_client.get(f"{BASE}export/?format=csv")
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert "chengguan" in export.content.decode("utf-8-sig")
    template = admin_client.get(f"{BASE}template/?format=xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in template["Content-Disposition"]
