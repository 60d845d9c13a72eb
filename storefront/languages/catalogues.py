"""Catalogues of the languages the cooperative translates itself (tzo, tzh), by `flask translate`.

Export writes the studio's strings for one language, each with its Spanish text as a guide and any
translation already made. Import checks a translated file before anything changes: placeholders
intact, the same markup, and a `source:` comment saying where each translation came from (we never
guess a translation); a file with any problem is refused whole. Coverage counts what is translated.
"""
import io
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from storefront.config import REPO_ROOT

COMMUNITY_LANGUAGES = ("tzo", "tzh")
LANGUAGE_NAMES = {"tzo": "Tsotsil", "tzh": "Tseltal"}
# Where the studio's strings live: what an artisan reads while she works.
STUDIO_SOURCES = ("storefront/studio/", "templates/studio/", "storefront/media/", "storefront/voice/",
                  "templates/voice/", "templates/base.html", "templates/partials/",
                  "storefront/accounts/fields.py", "templates/accounts/login.html")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdifr]|%%|\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
SOURCE_PREFIX = "source:"


class CatalogueRejected(ValueError):
    """A translated catalogue that cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)


def catalogue_path(language, root=None):
    return Path(root or REPO_ROOT / "translations") / language / "LC_MESSAGES" / "messages.po"


def _read(path, language=None):
    with Path(path).open("rb") as handle:
        return read_po(handle, locale=language)


def _extract_with_locations():
    """Every interface string with where it is used (messages.pot is written without locations)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "studio.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
                        "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--sort-output", "-o", str(pot),
                        "."], cwd=REPO_ROOT, check=True)
        return _read(pot)


def studio_message_ids():
    """The msgids the studio shows, in extraction order."""
    return [m.id for m in _extract_with_locations() if m.id and any(
        filename.startswith(STUDIO_SOURCES) for filename, _ in m.locations)]


def export_catalogue(language, out, root=None):
    """Write the studio's strings for `language` to `out`; returns how many strings and how many
    are already translated."""
    _check_language(language)
    spanish = _read(catalogue_path("es", root), "es")
    current = _read(catalogue_path(language, root), language)
    catalogue = Catalog(locale=language, project="Telar studio", fuzzy=False)
    translated = 0
    for msgid in studio_message_ids():
        existing = current.get(msgid)
        guide = spanish.get(msgid)
        string = existing.string if existing is not None else ""
        translated += bool(_has_string(string))
        catalogue.add(msgid, string, auto_comments=[f"es: {_flat(guide.string)}"] if guide and guide.string
                      else [], user_comments=existing.user_comments if existing is not None else [])
    with Path(out).open("wb") as handle:
        write_po(handle, catalogue, width=110, no_location=True)
    return len(catalogue), translated


def import_catalogue(language, source, root=None):
    """Check `source` (a translated .po) and merge its translations into our catalogue for
    `language`; refused whole, with each problem, if any entry is not safe to show."""
    _check_language(language)
    try:
        incoming = _read(source, language)
    except Exception as error:  # a file that is not a catalogue at all
        raise CatalogueRejected([f"the file is not a readable .po catalogue ({error})"]) from None
    if incoming.locale_identifier and incoming.locale_identifier != language:
        raise CatalogueRejected(
            [f"the file is for language '{incoming.locale_identifier}', not '{language}'"])
    path = catalogue_path(language, root)
    ours = _read(path, language)
    problems, result, updates = [], ImportResult(), []
    for message in incoming:
        if not message.id or not _has_string(message.string):
            continue
        if message.fuzzy:
            result.skipped.append(f"fuzzy, not imported: {_flat(_first(message.id))}")
            continue
        target = ours.get(message.id)
        if target is None:
            result.skipped.append(f"not a string of the interface: {_flat(_first(message.id))}")
            continue
        entry_problems = check_message(message)
        if entry_problems:
            problems.extend(f"{_flat(_first(message.id))!r}: {p}" for p in entry_problems)
            continue
        updates.append((target, message))
    if problems:
        raise CatalogueRejected(problems)
    for target, message in updates:
        if target.string == message.string and target.user_comments == message.user_comments:
            result.unchanged += 1
            continue
        target.string = message.string
        target.user_comments = list(message.user_comments)
        target.flags.discard("fuzzy")
        result.imported += 1
    write_catalogue(path, ours)
    compile_catalogue(path)
    return result


def check_message(message):
    """What is wrong with one translated entry (an empty list when it is safe to show)."""
    problems = []
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    expected = Counter(PLACEHOLDER.findall(ids[0]))
    expected_tags = Counter(TAG.findall(ids[0]))
    for string in strings:
        if not string:
            continue
        found = Counter(PLACEHOLDER.findall(string))
        plural_ok = len(ids) > 1 and found == Counter(PLACEHOLDER.findall(ids[-1]))
        if found != expected and not plural_ok:
            problems.append("placeholders differ: the original has "
                            f"{_names(expected) or 'none'}, the translation {_names(found) or 'none'}")
        if (Counter(TAG.findall(string)) != expected_tags
                or _stray_brackets(string) != _stray_brackets(ids[0])):
            problems.append("markup differs from the original (tags must be the same, and no loose < or >)")
    if not any(c.strip().lower().startswith(SOURCE_PREFIX) for c in message.user_comments):
        problems.append("no '# source:' comment saying who translated it or where it comes from")
    return problems


def coverage(root=None):
    """For each catalogue: (language, translated, total), against the template of every string."""
    root = Path(root or REPO_ROOT / "translations")
    template = {m.id for m in _read(root / "messages.pot") if m.id}
    rows = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        language = po.parent.parent.name
        catalogue = _read(po, language)
        translated = sum(1 for m in catalogue if m.id in template and not m.fuzzy and _has_string(m.string))
        rows.append((language, translated, len(template)))
    return rows


def write_catalogue(path, catalogue):
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=110, no_location=True, sort_output=True)
    Path(path).write_bytes(buffer.getvalue())


def compile_catalogue(path):
    """messages.po → messages.mo beside it."""
    path = Path(path)
    catalogue = _read(path, path.parent.parent.name)
    with path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalogue)


def _check_language(language):
    if language not in COMMUNITY_LANGUAGES:
        raise CatalogueRejected([f"'{language}' is not a language the cooperative translates here "
                                 f"(one of: {', '.join(COMMUNITY_LANGUAGES)})"])


def _has_string(string):
    return any(string) if isinstance(string, (list, tuple)) else bool(string)


def _first(value):
    return value[0] if isinstance(value, (list, tuple)) else value


def _flat(text):
    text = _first(text)
    return " ".join(text.split())[:120]


def _names(counter):
    return ", ".join(sorted(counter.elements()))


def _stray_brackets(text):
    bare = TAG.sub("", text)
    return bare.count("<"), bare.count(">")
