"""Printable documents as PDF: a Django template rendered by WeasyPrint, Chinese fonts embedded.

The print templates name the fonts installed by the fonts-noto-cjk package ("Noto Serif CJK SC"
for the body, "Noto Sans CJK SC" for headings); WeasyPrint embeds the subset of glyphs used, so
the file reads the same on a machine without those fonts.
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

# WeasyPrint logs every unsupported CSS property at WARNING; keep the test output readable.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes."""
    # Imported here: WeasyPrint loads Pango and fontconfig, which only document views need.
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    base_url = str(settings.BASE_DIR / "static") + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=local_fetcher()).write_pdf()


def local_fetcher():
    """A URL fetcher for files of the checkout only: a document never makes a network request
    (no leak of case data to a third party, no server-side request forgery)."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)


def pdf_response(content: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    """An application/pdf response; shown in the browser unless `attachment`."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = content_disposition_header(attachment, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response
