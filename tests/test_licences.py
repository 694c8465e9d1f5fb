"""Creative Commons URLs to name, abbreviation and SPDX id: exact where the URL says it, nothing
otherwise.

The names and abbreviations are the ones CC's deeds print (creativecommons.org, e.g. the
deed of /licenses/by-nd-nc/1.0/: "Attribution-NoDerivs-NonCommercial 1.0 Generic",
"CC BY-ND-NC 1.0"); the SPDX ids are those of the SPDX License List.
"""

from __future__ import annotations

import pytest

from oai.formats.licences import Licence, creative_commons

CC = "https://creativecommons.org/licenses/"
#: (URL, name after "Creative Commons ", abbreviation, SPDX id)
NAMED = [
    (CC + "by/4.0/", "Attribution 4.0 International", "CC BY 4.0", "CC-BY-4.0"),
    (CC + "by-sa/4.0/", "Attribution-ShareAlike 4.0 International", "CC BY-SA 4.0", "CC-BY-SA-4.0"),
    (
        CC + "by-nd/4.0/",
        "Attribution-NoDerivatives 4.0 International",
        "CC BY-ND 4.0",
        "CC-BY-ND-4.0",
    ),
    (
        CC + "by-nc/4.0/",
        "Attribution-NonCommercial 4.0 International",
        "CC BY-NC 4.0",
        "CC-BY-NC-4.0",
    ),
    (
        CC + "by-nc-sa/4.0/",
        "Attribution-NonCommercial-ShareAlike 4.0 International",
        "CC BY-NC-SA 4.0",
        "CC-BY-NC-SA-4.0",
    ),
    (
        CC + "by-nc-nd/4.0/",
        "Attribution-NonCommercial-NoDerivatives 4.0 International",
        "CC BY-NC-ND 4.0",
        "CC-BY-NC-ND-4.0",
    ),
    (
        CC + "by-nc-nd/3.0/",
        "Attribution-NonCommercial-NoDerivs 3.0 Unported",
        "CC BY-NC-ND 3.0",
        "CC-BY-NC-ND-3.0",
    ),
    (CC + "by-nd/3.0", "Attribution-NoDerivs 3.0 Unported", "CC BY-ND 3.0", "CC-BY-ND-3.0"),
    (
        CC + "by-nc-sa/2.5/",
        "Attribution-NonCommercial-ShareAlike 2.5 Generic",
        "CC BY-NC-SA 2.5",
        "CC-BY-NC-SA-2.5",
    ),
    (CC + "by-nd/2.5/", "Attribution-NoDerivs 2.5 Generic", "CC BY-ND 2.5", "CC-BY-ND-2.5"),
    (CC + "by/2.0/", "Attribution 2.0 Generic", "CC BY 2.0", "CC-BY-2.0"),
    (CC + "by/1.0/", "Attribution 1.0 Generic", "CC BY 1.0", "CC-BY-1.0"),
    (CC + "by-sa/1.0/", "Attribution-ShareAlike 1.0 Generic", "CC BY-SA 1.0", "CC-BY-SA-1.0"),
    (
        CC + "by-nc/1.0/",
        "Attribution-NonCommercial 1.0 Generic",
        "CC BY-NC 1.0",
        "CC-BY-NC-1.0",
    ),
    # 1.0 wrote NonCommercial-NoDerivs as by-nd-nc; SPDX orders the elements BY-NC-ND.
    (
        CC + "by-nd-nc/1.0/",
        "Attribution-NoDerivs-NonCommercial 1.0 Generic",
        "CC BY-ND-NC 1.0",
        "CC-BY-NC-ND-1.0",
    ),
]
CC0 = Licence("CC0 1.0 Universal", "CC0-1.0", "CC0 1.0")

#: The same licence at every address CC serves it from: scheme, www., with or without the
#: final slash, its legal code and deed in a language.
BY_4 = Licence("Creative Commons Attribution 4.0 International", "CC-BY-4.0", "CC BY 4.0")
ADDRESSES = [
    "https://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "https://www.creativecommons.org/licenses/by/4.0/",
    "http://www.creativecommons.org/licenses/by/4.0",
    "https://creativecommons.org/licenses/by/4.0/legalcode",
    "https://creativecommons.org/licenses/by/4.0/legalcode.de",
    "https://creativecommons.org/licenses/by/4.0/deed.en",
    "https://creativecommons.org/licenses/by/4.0/deed.pt-br",
    "https://creativecommons.org/licenses/by/4.0/deed.zh-hans",
]

UNNAMED = [
    CC + "by/3.0/de/",  # ported: its name has a jurisdiction, SPDX ids only some ports
    CC + "by-nc-nd/1.0/",  # no such licence: 1.0 said by-nd-nc
    CC + "by-nc-nd/1.0/deed.en",
    CC + "by-nd-nc/2.0/",  # by-nd-nc is 1.0 only
    CC + "nc/1.0/",  # 1.0's licences without Attribution
    CC + "by/2.1/",  # 2.1 exists only as ports
    CC + "by/5.0/",  # no such version
    CC + "BY/4.0/",
    CC + "sampling/1.0/",
    CC + "by/4.0legalcode",  # not an address CC serves
    CC + "by/4.0deed.en",
    CC + "by/4.0/deed",
    CC + "by/4.0/deed.en/",
    CC + "by/4.0/?lang=de",
    "https://creativecommons.org/publicdomain/mark/1.0/",  # a mark, not a licence
    "https://creativecommons.org/publicdomain/zero/2.0/",
    "https://example.org/creativecommons.org/licenses/by/4.0/",
    "https://example.org/licenses/by/4.0/",
    "https://opensource.org/licenses/MIT",
]


@pytest.mark.parametrize(("url", "name", "abbreviation", "spdx"), NAMED, ids=[n[0] for n in NAMED])
def test_a_cc_licence_url_names_its_licence(
    url: str, name: str, abbreviation: str, spdx: str
) -> None:
    assert creative_commons(url) == Licence(f"Creative Commons {name}", spdx, abbreviation)


@pytest.mark.parametrize(
    "url",
    [
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "http://creativecommons.org/publicdomain/zero/1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
        "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
    ],
)
def test_cc0(url: str) -> None:
    assert creative_commons(url) == CC0


@pytest.mark.parametrize("url", ADDRESSES)
def test_every_address_of_a_licence_names_it(url: str) -> None:
    assert creative_commons(url) == BY_4


@pytest.mark.parametrize("url", UNNAMED)
def test_any_other_url_names_nothing(url: str) -> None:
    assert creative_commons(url) is None
