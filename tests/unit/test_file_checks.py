"""The upload's type is judged by content and its name made safe, whatever the browser sent."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehc_tracker.services.file_checks import ACCEPTED, MAX_NAME, PDF, TEXT, safe_filename, sniff
from ehc_tracker.services.virus_scan import Scanner, ScannerUnavailable, _verdict


@given(name=st.text(max_size=400), file_type=st.sampled_from(ACCEPTED))
def test_a_safe_name_is_short_plain_and_ends_in_the_types_extension(name, file_type):
    safe = safe_filename(name, file_type)
    assert 0 < len(safe) <= MAX_NAME
    assert re.fullmatch(r"[A-Za-z0-9 ._()-]+", safe)
    assert not safe.startswith((".", " ", "-"))
    assert any(safe.lower().endswith(extension) for extension in file_type.extensions)


@given(st.binary(max_size=200))
def test_sniffing_never_fails_and_leaves_the_file_at_its_start(data):
    source = io.BytesIO(data)
    found = sniff(source)
    assert source.tell() == 0
    assert found is None or found in ACCEPTED


def test_a_program_is_not_text_and_a_pdf_is_a_pdf():
    assert sniff(io.BytesIO(b"MZ\x90\x00rest of a program")) is None
    assert sniff(io.BytesIO(b"%PDF-1.7 ...")) is PDF
    assert sniff(io.BytesIO("plain words, accents é".encode())) is TEXT


def test_clamd_answers_are_read():
    assert _verdict("stream: OK") is None
    assert _verdict("stream: Eicar-Test-Signature FOUND") == "Eicar-Test-Signature"
    with pytest.raises(ScannerUnavailable):
        _verdict("INSTREAM size limit exceeded. ERROR")


def test_scanning_is_off_unless_a_daemon_is_named():
    assert Scanner.from_settings({}) is None
    assert Scanner.from_settings({"CLAMAV_SOCKET": "/run/clamd.sock"}).socket_path == "/run/clamd.sock"
    tcp = Scanner.from_settings({"CLAMAV_HOST": "clamav", "CLAMAV_PORT": "3311"})
    assert (tcp.host, tcp.port) == ("clamav", 3311)
