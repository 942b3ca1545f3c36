"""Indian scripts in Latin letters, the way shoppers romanise them ("पंद्रह सौ के अंदर" -> "pandrah sau ke andar").

Shoppers write Hindi, Marathi, Bengali, Gujarati, Punjabi, Odia, Tamil, Telugu, Kannada and Malayalam in
their own scripts as often as in Latin letters. The planner's word lists know the romanised forms
("ke andar", "er moddhe", "sudhi", "kulla", "ton ghat"), so a message in a native script is first written
in Latin letters: casual spelling (one "a" for both a and aa, the silent final "a" of Hindi, Bengali,
Gujarati and Punjabi dropped), native digits as 0-9.

The nine Brahmic blocks of Unicode share one layout (the same offset is the same letter in each), so one
table serves them all; the few letters a script has of its own are listed apart.
"""

from __future__ import annotations

import re

# Unicode blocks: first code point -> script (each block is 128 code points)
_BLOCKS = {
    0x0900: "deva", 0x0980: "beng", 0x0A00: "guru", 0x0A80: "gujr", 0x0B00: "orya",
    0x0B80: "taml", 0x0C00: "telu", 0x0C80: "knda", 0x0D00: "mlym",
}  # fmt: skip
# Scripts whose words drop the inherent "a" at the end ("kamar", not "kamara")
_SILENT_FINAL_A = frozenset(("deva", "beng", "guru", "gujr", "orya"))

_VOWELS = {0x05: "a", 0x06: "a", 0x07: "i", 0x08: "i", 0x09: "u", 0x0A: "u", 0x0B: "ri", 0x0C: "li", 0x0D: "e",
           0x0E: "e", 0x0F: "e", 0x10: "ai", 0x11: "o", 0x12: "o", 0x13: "o", 0x14: "au"}  # fmt: skip
_CONSONANTS = {
    0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "n", 0x1A: "ch", 0x1B: "chh", 0x1C: "j", 0x1D: "jh",
    0x1E: "n", 0x1F: "t", 0x20: "th", 0x21: "d", 0x22: "dh", 0x23: "n", 0x24: "t", 0x25: "th", 0x26: "d",
    0x27: "dh", 0x28: "n", 0x29: "n", 0x2A: "p", 0x2B: "ph", 0x2C: "b", 0x2D: "bh", 0x2E: "m", 0x2F: "y",
    0x30: "r", 0x31: "r", 0x32: "l", 0x33: "l", 0x34: "zh", 0x35: "v", 0x36: "sh", 0x37: "sh", 0x38: "s",
    0x39: "h",
    # Devanagari's letters with a dot below (precomposed): qa, khha, ghha, za, dddha, rha, fa, yya
    0x58: "q", 0x59: "kh", 0x5A: "g", 0x5B: "z", 0x5C: "r", 0x5D: "rh", 0x5E: "f", 0x5F: "y",
}  # fmt: skip
_SIGNS = {0x3E: "a", 0x3F: "i", 0x40: "i", 0x41: "u", 0x42: "u", 0x43: "ri", 0x44: "ri", 0x45: "e", 0x46: "e",
          0x47: "e", 0x48: "ai", 0x49: "o", 0x4A: "o", 0x4B: "o", 0x4C: "au", 0x57: "au", 0x62: "li", 0x63: "li"}  # fmt: skip
_NASAL = {0x01: "n", 0x02: "n", 0x03: "h"}  # candrabindu, anusvara, visarga
_VIRAMA, _NUKTA = 0x4D, 0x3C
# With a nukta: ज़ is z, फ़ is f, ड़ is r (the Bengali ড় and ঢ় too)
_NUKTA_FORMS = {
    0x15: "q",
    0x16: "kh",
    0x17: "g",
    0x1C: "z",
    0x21: "r",
    0x22: "rh",
    0x2B: "f",
    0x2F: "y",
    0x38: "sh",
    0x32: "l",
}  # Gurmukhi ਸ਼ and ਲ਼ are written with a dot too
# A script's own letters: Bengali ড় ঢ় য় and khanda ta, Gurmukhi tippi and addak, Malayalam chillus
_OWN = {
    ("beng", 0x5C): "r", ("beng", 0x5D): "rh", ("beng", 0x5F): "y", ("beng", 0x4E): "t",
    ("beng", 0x70): "r", ("beng", 0x71): "w",  # Assamese ra and wa
    ("guru", 0x70): "n", ("guru", 0x59): "kh", ("guru", 0x5A): "g", ("guru", 0x5B): "z", ("guru", 0x5C): "r",
    ("guru", 0x5E): "f", ("orya", 0x5C): "r", ("orya", 0x5D): "rh", ("orya", 0x5F): "y",
    ("mlym", 0x7A): "n", ("mlym", 0x7B): "n", ("mlym", 0x7C): "r", ("mlym", 0x7D): "l", ("mlym", 0x7E): "l",
}  # fmt: skip
_ADDAK = ("guru", 0x71)  # doubles the next consonant (left single: "ghat", as shoppers spell it)
_LABIALS = frozenset((0x2A, 0x2B, 0x2C, 0x2D, 0x2E))
# English words shoppers write in an Indian script, as the transliteration spells them
_LOANWORDS = {"lediz": "ladies", "ledij": "ladies", "jents": "gents", "jins": "jeans", "saij": "size",
              "saiz": "size", "krim": "cream", "bajet": "budget", "shart": "shirt", "sart": "shirt",
              "tishart": "tshirt", "tisart": "tshirt", "vala": "wala", "vali": "wali", "vale": "wale",
              # Hindi spelled as shoppers type it: "mein" (in, not "men"), "pehle" (first), "saal" (years)
              "men": "mein", "mem": "mein", "pahle": "pehle", "pahla": "pehla", "pahli": "pehli",
              "dusara": "dusra", "dusari": "dusri", "dusare": "dusre", "tisara": "tisra", "tisari": "tisri",
              "sal": "saal", "jim": "gym", "dilivhri": "delivery", "dilivhari": "delivery", "dilivri": "delivery",
              "dilivari": "delivery", "riturn": "return", "ritarn": "return", "ophar": "offer", "diskaunt": "discount"}  # fmt: skip

# The inherent vowel, marked while a word is written, so the medial ones can be left out
_SCHWA = "\x00"
_VOWEL_LETTERS = frozenset("aeiou" + _SCHWA)
_MEDIAL_SCHWA = frozenset(("deva", "gujr", "guru"))

_INDIC = re.compile(r"[\u0900-\u0d7f]")
_WORD = re.compile(r"[\u0900-\u0d7f]+")


def has_indic(text: str) -> bool:
    """Whether ``text`` has a letter or digit of an Indian script."""
    return bool(_INDIC.search(text))


def _script(ch: str) -> tuple[str, int] | None:
    cp = ord(ch)
    base = cp & ~0x7F
    return (_BLOCKS[base], cp - base) if base in _BLOCKS else None


def _word(word: str) -> str:
    out: list[str] = []
    pending = False  # a consonant written whose inherent "a" is not yet decided
    script = ""
    chars = list(word)
    for i, ch in enumerate(chars):
        found = _script(ch)
        if found is None:
            out.append(ch)
            continue
        script, off = found
        after = _script(chars[i + 1]) if i + 1 < len(chars) else None
        nxt = after[1] if after else None
        if 0x66 <= off <= 0x6F:  # digits
            if pending:
                out.append(_SCHWA)
                pending = False
            out.append(str(off - 0x66))
            continue
        if (script, off) == _ADDAK:
            continue
        letter = _OWN.get((script, off))
        if letter is None and off in _CONSONANTS:
            letter = _NUKTA_FORMS.get(off, _CONSONANTS[off]) if nxt == _NUKTA else _CONSONANTS[off]
            if script == "beng" and off == 0x35:
                letter = "b"  # Bengali has one letter for b and v
            if script == "beng" and off == 0x2F:
                # Bengali য is said j at the start of a word; after a consonant it doubles it ("moddhe")
                letter = "j" if i == 0 else "y"
        if letter is not None:
            if pending:
                out.append(_SCHWA)
            out.append(letter)
            # Malayalam's chillus and Bengali's khanda ta are consonants with no vowel after them
            pending = not ((script == "mlym" and off >= 0x7A) or (script, off) == ("beng", 0x4E))
            continue
        if off == _NUKTA:
            continue
        if off == _VIRAMA:
            pending = False
            continue
        if off in _SIGNS:
            out.append(_SIGNS[off])
            pending = False
            continue
        if off in _NASAL:
            if pending:
                out.append(_SCHWA)
                pending = False
            # anusvara is m at the end of a word and before p, b or m ("venam"), n elsewhere ("andar")
            labial = nxt is None or nxt in _LABIALS
            south = script in ("taml", "telu", "knda", "mlym")
            out.append("m" if off == 0x02 and labial and south else _NASAL[off])
            continue
        if off in _VOWELS:
            if pending:
                out.append(_SCHWA)
                pending = False
            out.append(_VOWELS[off])
            continue
        # anything else (danda, signs of abbreviation): a space
        if pending:
            out.append(_SCHWA)
            pending = False
        out.append(" ")
    if pending:
        # the final inherent vowel: silent in Hindi, Bengali, Gujarati and Punjabi ("kamar"), but not
        # in a word of one letter ("ma"), nor in the southern scripts ("kulla")
        one_letter = sum(1 for c in out if c.isalpha()) <= 2 and len(word) == 1
        if script not in _SILENT_FINAL_A or one_letter:
            out.append(_SCHWA)
    latin = "".join(out)
    if script in _MEDIAL_SCHWA:
        latin = _drop_medial_schwa(latin)
    return latin.replace(_SCHWA, "a")


def _drop_medial_schwa(word: str) -> str:
    """Hindi, Gujarati and Punjabi leave out the inherent "a" between a vowel and a consonant that has
    its own vowel: झुमके is "jhumke", पहले "pehle"-like "pahle", कपड़े "kapre" (right to left, as said)."""
    chars = list(word)
    for i in range(len(chars) - 1, -1, -1):
        if chars[i] != _SCHWA:
            continue
        j = i - 1
        while j >= 0 and chars[j].isalpha() and chars[j] not in _VOWEL_LETTERS:
            j -= 1  # the consonant the vowel belongs to
        k = i + 1
        while k < len(chars) and chars[k].isalpha() and chars[k] not in _VOWEL_LETTERS:
            k += 1  # the next consonant
        if (
            j >= 0
            and chars[j] in _VOWEL_LETTERS
            and k > i + 1
            and k < len(chars)
            and chars[k] in _VOWEL_LETTERS
        ):
            del chars[i]
    return "".join(chars)


def to_latin(text: str) -> str:
    """``text`` with every word in an Indian script written in Latin letters (other words unchanged)."""
    if not has_indic(text):
        return text

    def one(m: re.Match[str]) -> str:
        latin = _word(m.group(0))
        return _LOANWORDS.get(latin, latin)

    return _WORD.sub(one, text)
