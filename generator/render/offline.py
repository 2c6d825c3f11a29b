"""The site's offline files: the page shown for a page that is not on the device, and the
service worker (/sw.js) that keeps every other page and asset on the device.

Pure: the site's files and the Jinja Environment are passed in. write.py calls
`offline_files` once the pages and the static assets are together, so the worker's
version covers every byte of the site.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from jinja2 import Environment

from .site import Here, _render, site_path
from .text import LANGUAGE_NAMES

WORKER = "sw.js"
OFFLINE_PAGE = "offline.html"
#: Pages not kept on the device: the paper copies (large, printed while online) and the
#: "not found" pages.
NOT_KEPT = frozenset({"print.html", "404.html"})

Files = Mapping[str, str | bytes]


def site_version(files: Files) -> str:
    """A digest of every file's path and bytes except the worker's own."""
    digest = hashlib.sha256()
    for path in sorted(files):
        if path == WORKER:
            continue
        content = files[path]
        data = content.encode("utf-8") if isinstance(content, str) else content
        digest.update(path.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()[:20]


def precache_urls(files: Iterable[str]) -> list[str]:
    """What install puts into the cache: every file of the site (pages, assets, and the JSON
    the page scripts fetch) except the worker and the pages in NOT_KEPT. The offline pages
    and the assets come first, so a slow install keeps what matters most first."""
    kept = [path for path in files
            if path != WORKER and path.rsplit("/", 1)[-1] not in NOT_KEPT]

    def order(path: str) -> tuple[bool, bool, str]:
        return path.rsplit("/", 1)[-1] != OFFLINE_PAGE, not path.startswith("assets/"), path

    return ["/" + path for path in sorted(kept, key=order)]


def offline_pages(env: Environment, langs: Iterable[str]) -> dict[str, str]:
    """offline.html in each language: what the worker shows for a page it does not have
    while there is no connection. No language switch: the other language's offline page
    would not help."""
    # render._render: the one place that gives a page its context, as for every other page
    return {site_path(lang, OFFLINE_PAGE): _render(env, OFFLINE_PAGE,
                                                   Here(lang, OFFLINE_PAGE, (lang,)))
            for lang in langs}


def service_worker(files: Files, *, env: Environment) -> str:
    """sw.js for these files: their version, the URLs to precache and the offline pages."""
    offline = {lang: "/" + site_path(lang, OFFLINE_PAGE) for lang in LANGUAGE_NAMES
               if site_path(lang, OFFLINE_PAGE) in files}
    return env.get_template(WORKER).render(version=site_version(files),
                                           precache=precache_urls(files), offline=offline)


def offline_files(files: Files, *, env: Environment) -> dict[str, str]:
    """The offline page in each of the site's languages (those with an index page), then
    the worker, which lists and hashes them with everything else."""
    langs = [lang for lang in LANGUAGE_NAMES if site_path(lang, "index.html") in files]
    out = offline_pages(env, langs)
    out[WORKER] = service_worker({**files, **out}, env=env)
    return out
