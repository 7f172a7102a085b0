import pytest

from docportal.domain.filenames import MAX_FILENAME_BYTES, safe_filename

PDF = "application/pdf"
JPEG = "image/jpeg"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini", "win.ini.pdf"),
        ("C:\\Users\\amy\\Plan of care.pdf", "Plan of care.pdf"),
        ("/var/tmp/letter.pdf", "letter.pdf"),
        ("..\uff0f..\uff0fetc\uff0fpasswd", "passwd.pdf"),  # fullwidth solidus
    ],
)
def test_path_like_names_keep_only_the_base_name(name, safe):
    assert safe_filename(name, PDF) == safe


def test_control_characters_are_removed():
    assert safe_filename("plan\x00\r\n of\t care\x1b.pdf", PDF) == "plan of care.pdf"


def test_right_to_left_override_cannot_disguise_the_extension():
    # Displayed, "invoice\u202egpj.exe" reads "invoiceexe.jpg".
    assert safe_filename("invoice\u202egpj.exe", JPEG) == "invoicegpj.exe.jpg"


def test_characters_that_break_headers_or_windows_names_are_replaced():
    assert safe_filename('a"b;c:d*e?f<g>h|i.pdf', PDF) == "a_b_c_d_e_f_g_h_i.pdf"


def test_leading_dots_that_would_hide_the_file_are_removed():
    assert safe_filename(".bashrc", PDF) == "bashrc.pdf"


def test_matching_extension_is_kept_in_lower_case():
    assert safe_filename("Scan.JPEG", JPEG) == "Scan.jpeg"


def test_extension_of_another_accepted_type_is_replaced():
    assert safe_filename("scan.pdf", "image/png") == "scan.png"


@pytest.mark.parametrize(
    ("name", "safe"),
    [("report.v2", "report.v2.pdf"), ("evil.exe", "evil.exe.pdf"), ("page.html", "page.html.pdf")],
)
def test_other_extensions_stay_and_the_detected_one_is_added(name, safe):
    assert safe_filename(name, PDF) == safe


@pytest.mark.parametrize("name", ["", "../", "...", "\x00\x07", "  ", "/.pdf/"])
def test_names_with_nothing_left_become_document(name):
    assert safe_filename(name, PDF) == "document.pdf"


def test_very_long_names_are_cut_keeping_the_extension():
    safe = safe_filename("x" * 1000 + ".pdf", PDF)

    assert safe == "x" * (MAX_FILENAME_BYTES - 4) + ".pdf"


def test_long_names_are_cut_on_whole_characters():
    safe = safe_filename("é" * 400 + ".jpg", JPEG)

    assert len(safe.encode()) <= MAX_FILENAME_BYTES
    assert safe == "é" * ((MAX_FILENAME_BYTES - 4) // 2) + ".jpg"
