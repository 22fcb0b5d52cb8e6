"""Trust lists: the issuers an operator recognises besides this server's own.

They are local files in the trust directory, never fetched and never taken from a credential:

- ``*.yaml`` / ``*.yml``: a list of ``{did, name, url?}`` entries;
- ``*.json`` with a top-level ``registry`` object: the Digital Credentials Consortium issuer
  registry format (``{"meta": ..., "registry": {DID: {"name", "url", "location"}}}``).

A DID is the one that signs (``did:key``, ``did:web``, ...); an Open Badges 2.0 issuer is listed
by its issuer profile URL. Bad files are refused with the file's name, never half-read.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from credstack.catalog.yamlsource import YamlError, load_yaml
from credstack.errors import InvalidInput
from credstack.vc.ob2 import Ob2PublicKey
from credstack.vc.recognition import IssuerDirectory, KnownIssuer

__all__ = [
    "MAX_TRUST_DIRECTORIES",
    "MAX_TRUST_LIST_BYTES",
    "TrustStore",
    "TrustStores",
    "load_trust_lists",
    "parse_trust_list",
]

MAX_TRUST_LIST_BYTES = 4 * 1024 * 1024
"""A registry of tens of thousands of issuers fits many times over."""
MAX_TRUST_LIST_VALUES = 1_000_000
"""YAML values in one trust list: about seven an entry, so over 100,000 issuers."""
MAX_TRUST_FILES = 1000
"""Files in the trust directory: an operator's handful of lists and documents, with room."""
MAX_TRUST_DIRECTORIES = 8
"""Trust directories whose stores one runtime keeps: it reads one (the settings'), and a test
or a command pointed at another adds one or two."""
_MAX_ID = 2048
_MAX_NAME = 300
_YAML_SUFFIXES = (".yaml", ".yml")


def is_registry(document: object) -> bool:
    return isinstance(document, Mapping) and isinstance(document.get("registry"), Mapping)


def load_trust_lists(directory: Path | None) -> list[KnownIssuer]:
    """Every issuer the trust directory's lists name, in file order."""
    if directory is None or not directory.is_dir():
        return []
    found: list[KnownIssuer] = []
    for path in sorted(directory.iterdir()):
        if path.suffix in _YAML_SUFFIXES or path.suffix == ".json":
            found.extend(parse_trust_list(path, _read(path)))
    return found


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_TRUST_LIST_BYTES:
            raise InvalidInput(f"{path}: a file in the trust directory may be at most 4 MiB")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror or exc}") from exc


def parse_trust_list(path: Path, text: str) -> list[KnownIssuer]:
    """One file's issuers; a JSON file that is not a registry is some other trusted document."""
    source = f"trust list {path.name}"
    if path.suffix == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: not readable JSON ({exc})") from exc
        if not is_registry(document):
            return []
        return [
            _entry(path, f"registry[{did!r}]", {**_mapping(path, did, entry), "did": did}, source)
            for did, entry in document["registry"].items()
        ]
    try:
        data = load_yaml(text, max_bytes=MAX_TRUST_LIST_BYTES, max_nodes=MAX_TRUST_LIST_VALUES).data
    except YamlError as exc:
        raise InvalidInput(f"{path}: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise InvalidInput(f"{path}: a trust list is a YAML list of entries with did and name")
    return [
        _entry(path, f"entry {n}", _mapping(path, f"entry {n}", item), source)
        for n, item in enumerate(data, start=1)
    ]


def _mapping(path: Path, where: str, item: object) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise InvalidInput(f"{path}: {where} must be a mapping with did and name")
    return item


def _entry(path: Path, where: str, item: Mapping[str, Any], source: str) -> KnownIssuer:
    did, name, url = item.get("did"), item.get("name"), item.get("url")
    if not isinstance(did, str) or not did.startswith(("did:", "https://", "http://")):
        raise InvalidInput(f"{path}: {where}: did must be a DID (or an OB 2.0 issuer URL)")
    if len(did) > _MAX_ID or (isinstance(url, str) and len(url) > _MAX_ID):
        raise InvalidInput(f"{path}: {where}: identifiers are at most {_MAX_ID} characters")
    if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
        raise InvalidInput(f"{path}: {where}: name must be 1 to {_MAX_NAME} characters")
    if url is not None and not isinstance(url, str):
        raise InvalidInput(f"{path}: {where}: url must be text")
    return KnownIssuer(dids=(did,), name=name.strip(), url=url or None, source=source)


@dataclass(frozen=True)
class TrustStore:
    """Documents and issuers an operator chose to trust, read from one directory.

    Trust lists (YAML files and issuer-registry JSON) name the recognised ``issuers``.

    Each file holds one document, sorted by what it is: a DID or controller document (it
    lists verification methods), an OB 2.0 ``CryptographicKey`` (it has ``publicKeyPem``),
    or any other document published at its ``id`` URL (OB 2.0 assertions, BadgeClasses,
    issuer profiles and revocation lists, others' status list credentials).
    """

    controllers: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    documents: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    ob2_keys: Mapping[str, Ob2PublicKey] = field(default_factory=dict)
    issuers: tuple[KnownIssuer, ...] = ()

    @cached_property
    def directory(self) -> IssuerDirectory:
        """The trust lists' issuers, indexed once for as long as this store is cached."""
        return IssuerDirectory(self.issuers)

    @classmethod
    def read(cls, directory: Path | None) -> TrustStore:
        """The directory's documents as they are now (see `TrustStores` for reading them once)."""
        if directory is None or not directory.is_dir():
            return cls()
        return cls._read_directory(directory)

    @classmethod
    def _read_directory(cls, directory: Path) -> TrustStore:
        controllers: dict[str, dict[str, Any]] = {}
        documents: dict[str, dict[str, Any]] = {}
        keys: dict[str, Ob2PublicKey] = {}
        for path in sorted(directory.glob("*.json")):
            try:
                document = json.loads(_read(path))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"trusted document {path}: not readable JSON ({exc})") from exc
            if is_registry(document):
                continue  # a trust list, read by load_trust_lists
            if not isinstance(document, dict) or not isinstance(document.get("id"), str):
                raise InvalidInput(f"trusted document {path}: a JSON object with an id is needed")
            ident = str(document["id"])
            if "verificationMethod" in document or "assertionMethod" in document:
                controllers[ident] = document
            elif isinstance(document.get("publicKeyPem"), str):
                keys[ident] = _ob2_key(path, document)
            else:
                documents[ident] = document
        return cls(controllers, documents, keys, tuple(load_trust_lists(directory)))


_State = tuple[tuple[str, int, int], ...]


class TrustStores:
    """The trust store last read from each directory, with the state of its files then.

    Every verification asks for the trust store; reading and parsing a large trust list each
    time (seconds for a registry of tens of thousands of issuers) would make every request pay
    for it. The files' names, sizes and modification times are compared instead, so an edited,
    added or removed file is seen at the next verification. A runtime owns one.
    """

    def __init__(self, limit: int = MAX_TRUST_DIRECTORIES) -> None:
        self._limit = limit
        self._items: OrderedDict[Path, tuple[_State, TrustStore]] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, directory: Path | None) -> TrustStore:
        """The directory's documents, read again only when one of its files has changed."""
        if directory is None or not directory.is_dir():
            return TrustStore()
        state = _directory_state(directory)
        with self._lock:
            cached = self._items.get(directory)
        if cached is not None and cached[0] == state:
            return cached[1]
        store = TrustStore.read(directory)
        with self._lock:
            self._items[directory] = (state, store)
            self._items.move_to_end(directory)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)
        return store

    def __len__(self) -> int:
        return len(self._items)


def _directory_state(directory: Path) -> _State:
    try:
        entries = sorted(directory.iterdir())
        if len(entries) > MAX_TRUST_FILES:
            raise InvalidInput(
                f"{directory}: the trust directory holds {len(entries)} files; at most "
                f"{MAX_TRUST_FILES} are read"
            )
        return tuple(
            (path.name, stat.st_size, stat.st_mtime_ns)
            for path in entries
            for stat in (path.stat(),)
        )
    except OSError as exc:
        raise InvalidInput(f"{directory}: {exc.strerror or exc}") from exc


def _ob2_key(path: Path, document: Mapping[str, Any]) -> Ob2PublicKey:
    try:
        key = load_pem_public_key(str(document["publicKeyPem"]).encode("ascii"))
    except ValueError as exc:
        raise InvalidInput(f"trusted key {path}: publicKeyPem is not a PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise InvalidInput(f"trusted key {path}: only RSA and EC keys sign OB 2.0 assertions")
    return Ob2PublicKey(key=key, owner=str(document.get("owner", "")))
