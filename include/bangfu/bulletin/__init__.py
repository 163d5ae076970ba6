"""The quarterly bulletin (通报, SPEC §7): marts → facts → Chinese text → DOCX, XLSX, HTML, PDF.

`bangfu.bulletin.publish.publish()` is the entry point; see its module for versioning.
"""
