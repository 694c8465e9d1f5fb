"""Finding, caching and compiling the XML Schemas responses and metadata are checked against.

A schema's public URL is looked up, in order, in the XML catalogs given (``--schemas DIR``
reads ``DIR/catalog.xml``; ``XML_CATALOG_FILES`` lists more), then in the download cache
(``$XDG_CACHE_HOME/oai-endpoint/schemas``, by default ``~/.cache/oai-endpoint/schemas``),
and last, unless offline, it is fetched from that URL once and kept in the cache. The
imports and includes a schema makes are found the same way while it compiles. A schema
that cannot be found whole is *unavailable*: libxml2 only warns about a failed import and
would then reject valid instances, so such a schema is never used to judge anything.

Compiled schemas are kept for the life of the process (the JATS one takes seconds), and
compiled only when an element needing them is first seen.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

CATALOG = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
#: The largest schema file fetched (bytes).
MAX_SCHEMA = 16 * 1024 * 1024


class Unavailable(Exception):
    """A schema, or something it imports, could not be found; the message says which."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oai-endpoint" / "schemas"


@dataclass
class Catalog:
    """The parts of OASIS XML catalogs that map schema URLs: uri, system, rewrite*."""

    exact: dict[str, Path] = field(default_factory=dict)
    prefixes: list[tuple[str, Path]] = field(default_factory=list)

    def read(self, path: Path, seen: set[Path] | None = None) -> None:
        """Add the entries of the catalog at ``path`` (and of its nextCatalog files)."""
        seen = set() if seen is None else seen
        path = path.resolve()
        if path in seen or not path.is_file():
            return
        seen.add(path)
        try:
            root = etree.parse(
                str(path), etree.XMLParser(resolve_entities=False, no_network=True)
            ).getroot()
        except (etree.XMLSyntaxError, OSError):
            return
        folder = path.parent
        for entry in root.iter():
            if not isinstance(entry.tag, str) or not entry.tag.startswith(f"{{{CATALOG}}}"):
                continue
            kind = etree.QName(entry).localname
            if kind in ("uri", "system"):
                key = entry.get("name") or entry.get("systemId")
                target = entry.get("uri")
                if key and target:
                    self.exact.setdefault(key, _local(folder, target))
            elif kind in ("rewriteURI", "rewriteSystem"):
                start = entry.get("uriStartString") or entry.get("systemIdStartString")
                prefix = entry.get("rewritePrefix")
                if start and prefix:
                    self.prefixes.append((start, _local(folder, prefix)))
            elif kind == "nextCatalog" and entry.get("catalog"):
                self.read(_local(folder, entry.get("catalog") or ""), seen)

    def lookup(self, url: str) -> Path | None:
        if url in self.exact:
            return self.exact[url]
        for start, prefix in sorted(self.prefixes, key=lambda p: -len(p[0])):
            if url.startswith(start):
                return prefix / url[len(start) :]
        return None


def _local(folder: Path, reference: str) -> Path:
    if reference.startswith("file://"):
        return Path(unquote(urlsplit(reference).path))
    return folder / reference


def catalog_files(schemas_dir: Path | None, environ: dict[str, str]) -> list[Path]:
    """The catalogs to read: ``DIR/catalog.xml`` first, then those of XML_CATALOG_FILES."""
    files = [schemas_dir / "catalog.xml"] if schemas_dir is not None else []
    for item in environ.get("XML_CATALOG_FILES", "").split():
        files.append(_local(Path.cwd(), item))
    return files


def fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "oai-endpoint-check"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http(s) only)
        data: bytes = response.read(MAX_SCHEMA + 1)
    if len(data) > MAX_SCHEMA:
        raise OSError("larger than 16 MB")
    return data


class Source:
    """Where schema files come from: catalogs, the cache, and (unless offline) the network."""

    def __init__(
        self,
        catalog: Catalog,
        cache_dir: Path,
        download: bool,
        fetch: Callable[[str], bytes] = fetch_url,
    ) -> None:
        self.catalog = catalog
        self.cache_dir = cache_dir
        self.download = download
        self.fetch = fetch

    def cached(self, url: str) -> Path:
        parts = urlsplit(url)
        segments = [s for s in unquote(parts.path).split("/") if s not in ("", ".", "..")]
        name = re.sub(r"[^A-Za-z0-9.\-]", "_", parts.hostname or "host")
        return self.cache_dir.joinpath(parts.scheme, name, *(segments or ["index"]))

    def locate(self, url: str) -> Path:
        """The local file holding ``url``; fetched into the cache first if need be."""
        local = self.catalog.lookup(url)
        if local is not None:
            if local.is_file():
                return local
            raise Unavailable(f"{url}: the catalog names {local}, which does not exist")
        if urlsplit(url).scheme not in ("http", "https"):
            raise Unavailable(f"{url}: not a URL a schema can be fetched from")
        path = self.cached(url)
        if path.is_file():
            return path
        if not self.download:
            raise Unavailable(f"{url}: not in the catalogs or the cache, and offline")
        try:
            data = self.fetch(url)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            raise Unavailable(f"{url}: could not be fetched ({_why(exc)})") from None
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        partial.replace(path)
        return path

    def key(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self.catalog.exact.items())),
            tuple(self.catalog.prefixes),
            self.cache_dir,
            self.download,
        )


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__


class _Resolver(etree.Resolver):  # type: ignore[misc,unused-ignore]
    """Sends every http(s) URL libxml2 asks for through the Source; notes what was missing."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.missing: list[str] = []

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        if url is None or urlsplit(url).scheme not in ("http", "https"):
            return None  # a file next to the one being read: libxml2 opens it itself
        try:
            path = self.source.locate(url)
        except Unavailable as exc:
            self.missing.append(str(exc))
            return None
        if self.source.catalog.lookup(url) is not None:
            # A catalog's file: its relative includes are files beside it.
            return self.resolve_filename(str(path), context)
        # A cached copy is read as its URL, so its relative includes resolve as URLs again.
        return self.resolve_string(path.read_bytes(), context, base_url=url)


_COMPILED: dict[tuple[object, ...], etree.XMLSchema | Unavailable] = {}


def compile_schema(source: Source, url: str) -> etree.XMLSchema:
    """The compiled schema at ``url``, built once per process; Unavailable if incomplete."""
    key = (url, *source.key())
    if key not in _COMPILED:
        _COMPILED[key] = _compile(source, url)
    found = _COMPILED[key]
    if isinstance(found, Unavailable):
        raise found
    return found


def _compile(source: Source, url: str) -> etree.XMLSchema | Unavailable:
    try:
        path = source.locate(url)
    except Unavailable as exc:
        return exc
    resolver = _Resolver(source)
    xml_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    xml_parser.resolvers.add(resolver)
    try:
        if source.catalog.lookup(url) is not None:
            document = etree.parse(str(path), xml_parser)
        else:
            document = etree.ElementTree(
                etree.fromstring(path.read_bytes(), xml_parser, base_url=url)
            )
        schema = etree.XMLSchema(document)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        if not resolver.missing:
            return Unavailable(f"{url}: does not compile ({exc})")
        schema = None
    if resolver.missing or schema is None:
        return Unavailable(f"{url}: imports what cannot be found: {resolver.missing[0]}")
    return schema


def first_error(schema: etree.XMLSchema, element: etree._Element) -> str | None:
    """None when ``element`` (as a document of its own) is valid, else the first error."""
    if schema.validate(etree.ElementTree(element)):
        return None
    errors = list(schema.error_log)
    if not errors:
        return "invalid"
    error = errors[0]
    return f"line {error.line}: {error.message}"


def schema_locations(element: etree._Element) -> dict[str, str]:
    """namespace -> schema URL from an element's xsi:schemaLocation."""
    value = element.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") or ""
    words = value.split()
    return dict(zip(words[::2], words[1::2], strict=False))
