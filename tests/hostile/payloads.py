"""Our own corpus of hostile input: what a partner, an author or an administrator could type
into any field, in the hope that a page runs it.

Every payload that would run sets a sentinel, ``window.__xss`` (``SENTINEL``); a few call
alert, confirm or prompt instead, so that the browser tests' dialog watcher has work too.
NUL is left out: the app refuses it outright (views/errors.py, publishing.decode_source).

``TEXT`` are one-line payloads fit for any field (a name, a reason, a reaction, a heading);
``LINK_TARGETS`` go into Markdown link and image destinations; ``MARKDOWN`` are inline
Markdown tricks; ``hostile_markdown`` builds a whole document with all of them in headings,
paragraphs, lists, quotes, tables, footnotes, link references and code.
"""

from __future__ import annotations

SENTINEL = "window.__xss=1"

SCRIPT_TAGS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT>window.__xss=1</SCRIPT>",
    "<script src=data:text/javascript,window.__xss=1></script>",
    "<script>alert(1)</script>",
    "</script><script>window.__xss=1</script>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
]

EVENT_HANDLERS = [
    "<img src=x onerror=window.__xss=1>",
    '<img src="x" onerror="confirm(1)">',
    "<svg onload=window.__xss=1>",
    "<svg/onload=prompt(1)>",
    "<svg><script>window.__xss=1</script></svg>",
    "<svg><a xlink:href=javascript:window.__xss=1><text y=20>svg</text></a></svg>",
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "<iframe src=javascript:parent.__xss=1></iframe>",
    "<object data=javascript:window.__xss=1></object>",
    "<a href=javascript:window.__xss=1>klik</a>",
    '<form action="javascript:window.__xss=1"><button>verstuur</button></form>',
    "<base href=javascript:window.__xss=1//>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
]

# Entities and numeric character references: shown as the characters they stand for, never
# decoded into markup.
ENTITIES = [
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "&#60;img src=x onerror=window.__xss=1&#62;",
    "&#x3C;svg onload=window.__xss=1&#x3E;",
    "&#106;avascript:window.__xss=1",
    "&#x6A;&#x61;&#x76;&#x61;script:window.__xss=1",
    "&amp;lt;script&amp;gt;window.__xss=1&amp;lt;/script&amp;gt;",
]

UNICODE = [
    "\u202e<script>window.__xss=1</script>\u202c",  # right-to-left override
    "<scr\u200dipt>window.__xss=1</scr\u200dipt>",  # zero-width joiner
    "<img src=x\u200bonerror=window.__xss=1>",  # zero-width space
    "\uff1cscript\uff1ewindow.__xss=1\uff1c/script\uff1e",  # fullwidth < and >
    "\ufeff<img src=x onerror=window.__xss=1>",  # byte-order mark
    "<img src=x onerror=\u2028window.__xss=1>",  # line separator
    "\u0130\u0131 \u00df\u1e9e \U0001f600 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
]

# Breaking out of an attribute or an element the value is written into.
BREAKOUTS = [
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '" onmouseover="window.__xss=1" x="',
    "' autofocus onfocus='window.__xss=1' x='",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "</option></select><img src=x onerror=window.__xss=1>",
    "<!--<script>window.__xss=1</script>-->",
    "--><script>window.__xss=1</script><!--",
    "<![CDATA[<script>window.__xss=1</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
]

TEMPLATE_INJECTION = [
    "{{7*7}}",
    "{% raw %}{{ config }}{% endraw %}",
    "{{ ''.__class__.__mro__ }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
]

CSS = [
    '<div style="width:expression(window.__xss=1)">css</div>',
    "<style>*{background:url(javascript:window.__xss=1)}</style>",
    '<p style="background-image:url(&quot;javascript:window.__xss=1&quot;)">css</p>',
    "expression(window.__xss=1)",
]

TEXT = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *ENTITIES,
    *UNICODE,
    *BREAKOUTS,
    *TEMPLATE_INJECTION,
    *CSS,
]

# Link and image destinations that must never become a clickable script or a document.
LINK_TARGETS = [
    "javascript:window.__xss=1",
    "JaVaScRiPt:window.__xss=1",
    "javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>window.__xss=1</script>",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=window.__xss=1>",
    "&#106;avascript:window.__xss=1",
    "&#x6A;avascript:window.__xss=1",
    "java&#x09;script:window.__xss=1",
    "java&#x0A;script:window.__xss=1",
    "&#x01;javascript:window.__xss=1",
    "javascript&colon;window.__xss=1",
    "%6Aavascript:window.__xss=1",
    "\\javascript:window.__xss=1",
]

MARKDOWN = [
    *(f"[link]({target})" for target in LINK_TARGETS),
    *(f"![image]({target})" for target in LINK_TARGETS),
    *(f"[angle](<{target}>)" for target in LINK_TARGETS),
    "<javascript:window.__xss=1>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>window.__xss=1</script>>",
    "<vbscript:msgbox(1)>",
    '[titled](https://example.org "a\\" onmouseover=\\"window.__xss=1")',
    "[titled](https://example.org 'a' onmouseover='window.__xss=1')",
    '![titled](https://example.org/x.png "x\\" onerror=\\"window.__xss=1")',
    '[quote](https://example.org/"onmouseover="window.__xss=1)',
    "[space](https://example.org/ onmouseover=window.__xss=1)",
    "[x](https://example.org/)<img src=x onerror=window.__xss=1>",
    "**<script>window.__xss=1</script>**",
    "`</code><script>window.__xss=1</script>`",
    "[<img src=x onerror=window.__xss=1>](https://example.org)",
    "[![inner](javascript:window.__xss=1)](javascript:window.__xss=1)",
    "<a href='javascript:window.__xss=1'>raw</a>",
]

# Link reference definitions (each on its own line) and the text that uses them.
REFERENCE_DEFINITIONS = [
    "[r1]: javascript:window.__xss=1",
    '[r2]: https://example.org "t\\" onmouseover=\\"window.__xss=1"',
    "[r3]: <javascript:alert(1)>",
    "[r4]: data:text/html,<script>window.__xss=1</script>",
    "[r5]: &#106;avascript:window.__xss=1",
    '[r6]: https://example.org/"><script>window.__xss=1</script>',
]
REFERENCE_USES = (
    "[een][r1] [twee][r2] [drie][r3] [vier][r4] [vijf][r5] [zes][r6] [r1] ![plaatje][r4]"
)

# A passage of the document's text that the browser tests quote in a reaction.
QUOTED = "<script>window.__xss=1</script>"


def _table(payloads: list[str]) -> str:
    cells = [payload.replace("|", "\\|") for payload in payloads]
    rows = ["| kolom | <b onmouseover=window.__xss=1>kop</b> |", "| :-- | --: |"]
    rows += [f"| {a} | {b} |" for a, b in zip(cells[::2], cells[1::2], strict=False)]
    return "\n".join(rows)


def hostile_markdown(version: int = 2) -> str:
    """A document with every payload in every place Markdown can put it. ``version`` 1 and 2
    differ in every section, so that a comparison of the two shows payloads inserted and
    deleted, in the text and in the Markdown source."""
    half = len(TEXT) // 2
    mine, theirs = (TEXT[:half], TEXT[half:]) if version == 1 else (TEXT[half:], TEXT[:half])
    paragraphs = "\n\n".join(f"Tekst {n}: {payload}" for n, payload in enumerate(mine))
    return "\n\n".join(
        [
            f"Opening van versie {version}: " + " ".join(theirs[:12]),
            f"# {QUOTED} {{#script}}",
            f"Deze sectie citeert {QUOTED} letterlijk, voor versie {version}.",
            paragraphs,
            f"## <img src=x onerror=window.__xss=1> {{{{7*7}}}} {{#kop-{version}}}",
            "\n".join(f"- {payload}" for payload in theirs[:20]),
            "\n".join(f"> {payload}" for payload in mine[:10]),
            "## [kop met link](javascript:window.__xss=1) {#links}",
            "\n\n".join(MARKDOWN if version == 2 else MARKDOWN[::-1]),
            REFERENCE_USES + f" (versie {version})",
            "\n\n".join(REFERENCE_DEFINITIONS),  # one paragraph each: a refused one ends a run
            "## Tabel {#tabel}",
            _table(mine[:24]),
            "## Voetnoten {#voetnoten}",
            f"Een voetnoot[^x] en nog een[^y], versie {version}.",
            "[^x]: <svg onload=window.__xss=1> [noot](javascript:window.__xss=1)",
            f"[^y]: {BREAKOUTS[0]} {CSS[0]}",
            "### Code {#code}",
            f'```html" onload="window.__xss=1\n</code></pre>{SCRIPT_TAGS[0]}\nv{version}\n```',
            "    </code></pre><img src=x onerror=window.__xss=1>",
            f"#### {BREAKOUTS[4]} {{#textarea}}",
            f"Versie {version}: {' '.join(theirs[-6:])}",
            "##### Kleine kop <svg onload=window.__xss=1>",
            "Setext <script>window.__xss=1</script>\n---",
        ]
    )


def in_chunks(payloads: list[str], limit: int = 1900) -> list[str]:
    """The payloads joined into as few texts of at most ``limit`` characters as fit (a
    reaction holds at most 2,000)."""
    chunks, current = [], ""
    for payload in payloads:
        candidate = f"{current}\n\n{payload}" if current else payload
        if len(candidate) > limit:
            chunks.append(current)
            candidate = payload
        current = candidate
    return [*chunks, current] if current else chunks
