"""Line-level boilerplate rules shared by the HTML and text-dump paths.

Every rule is site-independent: share bars, captions and credits, newsletter and app boxes,
"read more" teasers, comment widgets, copyright and contact footers, promo blocks.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

# Whole lines that are widgets, not prose.
_JUNK_LINE = re.compile(
    r"""^(?:
      (?:\w+\s)?(?:logo|icon|image|photo|thumbnail|avatar|placeholder|background|banner)s?
    | (?:share|tweet|email|print|copy\ link|whatsapp|facebook|twitter|linkedin|pinterest|reddit)
      (?:\s(?:this|on|via|article|story|link|page)\b.*)?
    | (?:order\ reprints|print\ article|reprints?|save\ article|gift\ (?:this\ )?article)
    | advertisement|ad|sponsored(?:\ content)?|skip\ ad|close|menu|search|loading\.*
    | (?:story|article)\ continues\ (?:below|after\ (?:this\ )?(?:ad|advertisement)).*
    | continue\ reading(?:\ (?:below|the\ main\ story))?
    | tags?:?|topics?:?|filed\ under:?
    | (?:no\ )?comments?(?:\ \(\d+\))?(?:\ yet)?\W*|leave\ a\ (?:comment|reply)\W*
    | (?:view|show|load)\ (?:all\ |more\ )?comments\W*
    | (?:app[\s-]?store|play[\s-]?store|google\ play)+
    | thank\ you\W*|an\ error\ has\ occurred.*|error\ in\ retrieving\ data.*
    | this\ article\ has\ been\ sent\ to\W*
    | time\s*\d+\s+\w+\s+ago|\d+\s+(?:min|mins|minutes?|hours?|days?)\s+ago
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# Lines that start like a box or a footer, whatever follows.
_JUNK_START = re.compile(
    r"""^(?:
      (?:read|see|watch|listen)\ (?:more|also|next)\b\W
    | (?:related|recommended|also\ read|more\ on\ this|most\ read|trending)\s*[:|]
    | (?:sign\ up|subscribe)\b.{0,80}\b(?:newsletter|inbox|updates|alerts)
    | get\ (?:the\ )?(?:latest|best|top)\b.{0,60}\b(?:inbox|newsletter|email)
    | (?:enter|type)\ your\ email
    | (?:copyright|©|\(c\)\ \d{4})
    | all\ rights\ reserved
    | this\ copy\ is\ for\ your\ personal
    | write\ to\ \w.{0,60}\bat\ \S+@
    | have\ a\ (?:news\ )?tip\?
    | follow\ (?:us|him|her|them|@\w+)\ on\b
    | follow\b.{0,60}\bon\ (?:facebook|twitter|instagram|linkedin|youtube|tiktok|x)\b
    | (?:updated|published|posted|last\ modified)(?:\ on|\ at)?:?\ [\w ,.:]{0,30}\d[\w ,.:]{0,20}$
    | (?:tell\ us|let\ us\ know)\ what\ you\ think
    | if\ you\ (?:enjoyed|liked)\ this\ (?:article|story|post)
    | how\ to\ listen\b
    | (?:image|photo|picture|video)\ (?:source|credit|caption)s?\s*:
    | (?:photo|image|picture)s?\s*:\s
    | (?:download|get)\ (?:the\ |our\ )?(?:\w+\s)?app\b
    | (?:try\ our|explore\ what)\b
    | click\ here\ to\b
    | (?:listen|download|itunes|spotify|stitcher)\s*:\s*https?://
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Lines that end like a caption credit: "... (Photo: Jane Doe/Reuters)".
_CREDIT_END = re.compile(
    r"[(\[]?(?:photo|image|picture|credit|pictured)s?(?:\s+by)?\s*:?\s*[^()\[\]]{2,60}"
    r"/\s*(?:getty(?:\s+images)?|reuters|afp|ap|epa|shutterstock|alamy)[^()\[\]]*[)\]]?$",
    re.IGNORECASE,
)

# Section headings after which come other stories, comments or footers.
_TERMINAL_HEADING = re.compile(
    r"""^(?:
      related(?:\ (?:articles?|stories|posts|content|news|links|coverage|reading))?
    | (?:you\ (?:may|might)\ (?:also\ )?(?:like|enjoy)|more\ (?:from|stories|news|on)\b.*)
    | (?:recommended|most\ (?:read|popular|viewed|shared)|trending|read\ next|up\ next)
      (?:\ (?:for\ you|articles|stories|now))?
    | (?:latest|top)\ (?:news|stories|headlines)
    | comments?(?:\ \(\d+\))?|\d+\ comments?|discussion|join\ the\ (?:conversation|discussion)
    | (?:about|share)\ this\ (?:article|story)
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Headings that open a teaser block in the middle of a story.
_TEASER_HEADING = re.compile(
    r"^(?:don'?t miss|don’t miss|must read|see more|read more|also read|more|related|"
    r"you might also like|recommended)\W*$",
    re.IGNORECASE,
)

_ORIGINAL = re.compile(
    r"^(?:read\ the\ original\ (?:article|story|post)\ (?:on|at)|"
    r"this\ (?:article|story|post)\ (?:was\ )?(?:originally|first)\ (?:appeared|published)"
    r"\ (?:on|in|at|by)|originally\ (?:published|appeared)\ (?:on|in|at|by))"
    r"\s+(?:the\ )?(?P<name>[^.!?]{2,60}?)\.?$",
    re.IGNORECASE | re.VERBOSE,
)


# Teaser links that end in a bracketed all-caps tag: "Story title here [VIDEO]".
_TAGGED_TEASER = re.compile(r"\[[A-Z][A-Z ]{2,15}\]\W*$")


# Pitches that can sit anywhere in a short line.
_PITCH = re.compile(
    r"\b(?:(?:sign\ up|subscribe)\b.{0,80}\bnewsletter|click\ here\b|for\ as\ little\ as\b"
    r"|(?:delivered|straight)\ to\ your\ inbox)",
    re.IGNORECASE,
)
_PITCH_MAX_WORDS = 40


def word_count(line: str) -> int:
    return len(_WORD.findall(line))


def is_prose(line: str) -> bool:
    """A sentence-like paragraph rather than a label, button or heading."""
    words = word_count(line)
    if words >= 35:
        return True
    return words >= 7 and line.rstrip()[-1:] in ".!?\"”’)…»"


def is_junk(line: str) -> bool:
    text = line.strip().strip("|•·-–—*").strip()
    if not text:
        return True
    if _JUNK_LINE.match(text) or _JUNK_START.match(text):
        return True
    words = word_count(text)
    if words <= _PITCH_MAX_WORDS and _PITCH.search(text):
        return True
    if words > 30:
        return False
    return bool(_CREDIT_END.search(text) or _TAGGED_TEASER.search(text))


def is_terminal_heading(line: str) -> bool:
    return len(line) < 80 and bool(_TERMINAL_HEADING.match(line.strip())) and word_count(line) <= 6


def is_teaser_heading(line: str) -> bool:
    return len(line) < 60 and bool(_TEASER_HEADING.match(line.strip())) and word_count(line) <= 5


def original_publisher(line: str) -> str | None:
    """"Read the original article on Business Insider" -> "Business Insider"."""
    match = _ORIGINAL.match(line.strip())
    return match.group("name").strip() if match else None
