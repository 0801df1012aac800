"""Running an import in tests: a fixture file of tests/data/wxr through the writer."""

from datetime import UTC
from pathlib import Path

from blogapp.importing import wordpress
from blogapp.importing.writer import ImportOptions, import_file

WXR = Path(__file__).parent / "data" / "wxr"


def import_wxr(name_or_bytes, actor, **options):
    """The report of importing a fixture (a file name under data/wxr, or the bytes)."""
    import io

    data = name_or_bytes if isinstance(name_or_bytes, bytes) else (WXR / name_or_bytes).read_bytes()
    options.setdefault("dry_run", False)
    zone = options.pop("site_timezone", UTC)

    def reader(stream, skipped):
        return wordpress.read(stream, skipped, site_timezone=zone)

    return import_file(reader, io.BytesIO(data), "wordpress", actor, ImportOptions(**options))
