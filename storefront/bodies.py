"""Request bodies: the garment form's photos are capped as they arrive, so a photo that is too big
comes back as a message beside the form she filled in, never as a bare 413 page that loses her words.

Every other request keeps MAX_CONTENT_LENGTH. The garment form accepts a larger body (its photos,
sent without the upload script), but each file part keeps at most one byte more than a photo may
have: the rest is counted and dropped, so the disk holds no more than MAX_PHOTOS x 20 MB per request,
and the form's own check says which photo was too big.
"""
import tempfile

from flask import Request

from storefront.media.pipeline import MAX_BYTES

GARMENT_FORM_ENDPOINTS = frozenset({"studio.new_garment", "studio.edit_garment"})
GARMENT_FORM_MAX_BODY = 256 * 1024 * 1024
SPOOL_BYTES = 512 * 1024


class CappedFile(tempfile.SpooledTemporaryFile):
    """A file part that keeps its first `cap` bytes and counts the rest."""

    def __init__(self, cap):
        super().__init__(max_size=SPOOL_BYTES, mode="w+b")
        self.cap = cap
        self.received = 0

    def write(self, data):
        room = self.cap - self.received
        if room > 0:
            super().write(data[:room])
        self.received += len(data)
        return len(data)


class TelarRequest(Request):
    @property
    def max_content_length(self):
        if self.endpoint in GARMENT_FORM_ENDPOINTS:
            return GARMENT_FORM_MAX_BODY
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        Request.max_content_length.fset(self, value)

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        if self.endpoint in GARMENT_FORM_ENDPOINTS:
            return CappedFile(MAX_BYTES + 1)
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)
