"""Creative Commons licences recognised from their URL: name, abbreviation and SPDX id.

Harvesters want a licence's name next to its URL (OpenAIRE's licenseCondition,
DataCite's rights, MARC 540 $a), MARC also its abbreviation (540 $f with $2 cc) and
DataCite its SPDX identifier. A record gives only the URL, so all three are derived
here, and only where the URL says them exactly: the unported/international licences
of versions 1.0 to 4.0 and CC0 1.0, at the licence's own address or at one of the
pages Creative Commons serves for it (``legalcode``, ``legalcode.de``, ``deed.en``).
A ported licence (``/by/3.0/de/``) or any other URL gets nothing: a wrong name or SPDX
id would be worse than none, and the URL itself still goes out.

Names and abbreviations are the ones CC's deeds print ("Attribution-NoDerivs-NonCommercial
1.0 Generic", "CC BY-ND-NC 1.0"); SPDX ids are the SPDX License List's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

SPDX_SCHEME_URI: Final = "https://spdx.org/licenses/"


@dataclass(frozen=True, slots=True)
class Licence:
    #: "Creative Commons Attribution-NonCommercial 4.0 International".
    name: str
    #: SPDX licence identifier, "CC-BY-NC-4.0".
    spdx: str
    #: "CC BY-NC 4.0", as MARC 540 $f with $2 cc and the licence deeds write it.
    abbreviation: str


#: The licence codes of each version's unported licences. 1.0 spelled the NonCommercial-
#: NoDerivs licence ``by-nd-nc``; there is no ``by-nc-nd/1.0``. (1.0's licences without
#: Attribution, ``nd``, ``nc``, ``sa``, ``nd-nc``, ``nc-sa``, are not named.)
_CODES: Final = {
    "1.0": ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nd-nc"),
    **{
        version: ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd")
        for version in ("2.0", "2.5", "3.0", "4.0")
    },
}
#: Version -> the edition word CC's deeds use.
_EDITIONS: Final = {
    "1.0": "Generic",
    "2.0": "Generic",
    "2.5": "Generic",
    "3.0": "Unported",
    "4.0": "International",
}
#: Each licence element's word; 4.0 says "NoDerivatives" where 1.0 to 3.0 said "NoDerivs".
_WORDS: Final = {"by": "Attribution", "nc": "NonCommercial", "sa": "ShareAlike", "nd": "NoDerivs"}


def _licence(code: str, version: str) -> Licence:
    parts = code.split("-")
    words = [_WORDS[part] for part in parts]
    if version == "4.0":
        words = ["NoDerivatives" if word == "NoDerivs" else word for word in words]
    # SPDX writes the elements in one order, BY-NC-ND, whatever order the URL has.
    spdx = "-".join(part.upper() for part in sorted(parts, key=("by", "nc", "sa", "nd").index))
    return Licence(
        name=f"Creative Commons {'-'.join(words)} {version} {_EDITIONS[version]}",
        spdx=f"CC-{spdx}-{version}",
        abbreviation=f"CC {code.upper()} {version}",
    )


_CC0: Final = Licence("CC0 1.0 Universal", "CC0-1.0", "CC0 1.0")
_LICENCES: Final[dict[tuple[str, str], Licence]] = {
    (code, version): _licence(code, version) for version, codes in _CODES.items() for code in codes
}

_URL: Final = re.compile(
    r"https?://(?:www\.)?creativecommons\.org/"
    r"(?:licenses/(?P<code>[a-z-]+)/(?P<version>\d\.\d)|publicdomain/(?P<zero>zero)/1\.0)"
    # The licence itself, its legal code or its deed, in any language CC translates it into.
    r"(?:/(?:legalcode(?:\.[A-Za-z-]+)?|deed\.[A-Za-z-]+)?)?",
    re.ASCII,
)


@lru_cache(maxsize=256)
def creative_commons(url: str) -> Licence | None:
    """The CC licence ``url`` names exactly, or None (any other URL, a ported licence)."""
    match = _URL.fullmatch(url)
    if match is None:
        return None
    if match.group("zero"):
        return _CC0
    return _LICENCES.get((match.group("code"), match.group("version")))
