"""The browser view in a real browser: Debian's headless Chromium against ``oai serve``.

Selenium drives /usr/bin/chromium through /usr/bin/chromedriver, both named
explicitly, so Selenium Manager never looks for (or downloads) anything.
JavaScript is switched off in the browser's settings: every page and form must
work without it. Each test saves a screenshot in its own temporary folder.
The tests skip, saying why, when Chromium, its driver or selenium is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SEED_TITLE = "Putting Innovation in Place: Policy Strategies for Industrial Services"
SEED_IDENTIFIER = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"
REPOSITORY_NAME = "Prometheus (Pluto Journals)"
WAIT = 15

if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip(
        f"real-browser tests need {CHROMIUM} and {CHROMEDRIVER} "
        "(apt-get install chromium chromium-driver; .ci/run does it)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m oai serve`` on the bundled fixtures, two records a page (three pages)."""
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    env.update(OAI_DATABASE_URL=f"sqlite:///{folder / 'oai.sqlite'}", OAI_PAGE_SIZE="2")
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "oai", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"oai serve exited: {(folder / 'serve.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/oai?verb=Identify", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("oai serve did not answer within 30 s")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    # Pages must work without script: switch it off for every site.
    options.add_experimental_option(
        "prefs", {"profile.managed_default_content_settings.javascript": 2}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(WAIT)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def screenshot(driver: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where this test's screenshot goes; taken at the end, also when the test fails."""
    path = tmp_path / f"{request.node.name}.png"
    driver.set_window_size(1280, 1000)
    yield path
    assert driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _wait_url(driver: Any, fragment: str) -> None:
    WebDriverWait(driver, WAIT).until(ec.url_contains(fragment))


def _csp_violations(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security" in e["message"]]


def test_list_records_shows_the_seed_title(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=ListRecords&metadataPrefix=oai_dc")
    title = driver.find_element(By.XPATH, f"//p[@class='title'][contains(., '{SEED_TITLE}')]")
    assert title.is_displayed()
    position = driver.find_element(By.CSS_SELECTOR, "p.position")
    assert position.text == "records 1-2 of 6"
    # The stylesheet applied (a bold title), and the CSP blocked nothing of ours.
    assert int(title.value_of_css_property("font-weight")) >= 600
    assert _csp_violations(driver) == []


def test_next_page_link_reaches_the_second_page(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=ListRecords&metadataPrefix=oai_dc")
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    _wait_url(driver, "resumptionToken=")
    position = driver.find_element(By.CSS_SELECTOR, "p.position")
    assert position.text == "records 3-4 of 6"
    assert driver.find_elements(By.CSS_SELECTOR, "table.items tbody tr")[0].is_displayed()


def test_getrecord_link_opens_the_record(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=ListRecords&metadataPrefix=oai_dc")
    link = driver.find_element(By.LINK_TEXT, SEED_IDENTIFIER)
    link.click()
    _wait_url(driver, "verb=GetRecord")
    heading = driver.find_element(By.TAG_NAME, "h1")
    assert heading.text.startswith(SEED_TITLE)
    assert (
        "Prometheus; Vol 40 No 2; 69-87" in driver.find_element(By.CSS_SELECTOR, "dl.metadata").text
    )


def test_identify_form_on_home_page(driver, server, screenshot):
    driver.get(f"{server}/")
    assert driver.find_element(By.TAG_NAME, "h1").text == REPOSITORY_NAME
    driver.find_element(By.ID, "identify-submit").click()
    _wait_url(driver, "/oai?verb=Identify")
    assert driver.find_element(By.CSS_SELECTOR, ".repository-name").text == REPOSITORY_NAME


def test_list_records_form_with_a_set(driver, server, screenshot):
    driver.get(f"{server}/")
    choice = driver.find_element(By.ID, "lr-set")
    choice.find_element(By.CSS_SELECTOR, "option[value='type:book-review']").click()
    driver.find_element(By.ID, "lr-submit").click()
    _wait_url(driver, "/oai?")
    assert driver.current_url.endswith(
        "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=type%3Abook-review"
    )
    assert driver.find_element(By.CSS_SELECTOR, "p.position").text == "records 1-2 of 4"


def test_error_page_shows_the_code(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=ListRecords")
    assert driver.find_element(By.CSS_SELECTOR, "code.code").text == "badArgument"
    assert driver.save_screenshot(str(screenshot.with_name("error-page.png")))
    driver.find_element(By.CSS_SELECTOR, "a.example").click()
    _wait_url(driver, "metadataPrefix=oai_dc")
    assert driver.find_element(By.CSS_SELECTOR, "p.position").text == "records 1-2 of 6"


def test_raw_xml_link_shows_the_xml(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=Identify")
    driver.find_element(By.CSS_SELECTOR, "footer a.raw").click()
    _wait_url(driver, "/oai.xml?verb=Identify")
    # Chromium shows the document tree: the element names themselves are on screen.
    assert "repositoryName" in driver.find_element(By.TAG_NAME, "body").text
    assert REPOSITORY_NAME in driver.page_source


def test_date_inputs_fit_their_cards_at_1280px(driver, server, screenshot):
    driver.get(f"{server}/")
    for control in ("lr-from", "lr-until", "li-from", "li-until"):
        box = driver.find_element(By.ID, control).rect
        card = driver.find_element(By.ID, control).find_element(By.XPATH, "ancestor::section[1]")
        padding = float(card.value_of_css_property("padding-right").removesuffix("px"))
        inner_right = card.rect["x"] + card.rect["width"] - padding
        assert card.rect["x"] <= box["x"] and box["x"] + box["width"] <= inner_right + 0.5, (
            f"#{control} spans {box['x']:.0f}-{box['x'] + box['width']:.0f} px, "
            f"its card's content ends at {inner_right:.0f} px"
        )


def test_a_later_page_links_back_to_the_first(driver, server, screenshot):
    driver.get(f"{server}/oai?verb=ListRecords&metadataPrefix=oai_dc")
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    _wait_url(driver, "resumptionToken=")
    request = driver.find_element(By.CSS_SELECTOR, "p.request").text
    token = driver.current_url.split("resumptionToken=", 1)[1]
    assert token not in request and "resumptionToken=" in request
    driver.find_element(By.CSS_SELECTOR, "a[rel=first]").click()
    _wait_url(driver, "metadataPrefix=oai_dc")
    assert driver.find_element(By.CSS_SELECTOR, "p.position").text == "records 1-2 of 6"


def test_getrecord_form_trims_a_pasted_identifier(driver, server, screenshot):
    driver.get(f"{server}/")
    field = driver.find_element(By.ID, "gr-identifier")
    field.clear()
    field.send_keys(f"  {SEED_IDENTIFIER} ")
    driver.find_element(By.ID, "gr-submit").click()
    _wait_url(driver, "verb=GetRecord")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith(SEED_TITLE)
    # The abstract is shown whole on the record's own page, not folded behind "…".
    assert not driver.find_elements(By.CSS_SELECTOR, "dl.metadata details")


def test_marc_record_shows_its_fields_and_folds_its_xml(driver, server, screenshot):
    """MARC read as a person reads a record: labelled fields first, the MARCXML folded below."""
    driver.get(f"{server}/oai?verb=GetRecord&identifier={SEED_IDENTIFIER}&metadataPrefix=marcxml")
    heading = driver.find_element(By.TAG_NAME, "h1").text
    # 245 $a $b, without the ISBD " :" and the final period MARC gives them.
    assert heading.startswith(SEED_TITLE) and heading.endswith("in Japan and the United States")
    terms = driver.find_elements(By.CSS_SELECTOR, "dl.metadata dt")
    fields = {dt.text: dt.find_element(By.XPATH, "following-sibling::dd[1]") for dt in terms}
    assert fields["Journal"].text == "Prometheus"  # 773 $t
    assert fields["Volume, issue, pages"].text == "Vol. 40, no. 2, p. 69-87"  # 773 $g
    licence = fields["Licence"].find_element(By.TAG_NAME, "a")
    assert licence.get_attribute("href") == "http://creativecommons.org/licenses/by/4.0/"
    assert licence.is_displayed()
    # The XML is there but folded: the fields are not pushed down by it.
    xml = driver.find_element(By.CSS_SELECTOR, "details.xml")
    code = xml.find_element(By.CSS_SELECTOR, "pre code")
    assert xml.get_attribute("open") is None and not code.is_displayed()
    assert xml.location["y"] > terms[-1].location["y"]
    xml.find_element(By.TAG_NAME, "summary").click()  # opens without script
    assert code.is_displayed()
    assert '<datafield tag="773" ind1="0" ind2=" ">' in code.text
    assert _csp_violations(driver) == []
    # Opened at phone width, its long lines scroll inside the box, not the page.
    driver.set_window_size(390, 844)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert width <= viewport, f"the record page is {width}px wide in a {viewport}px viewport"


def test_phone_width_has_no_sideways_scrolling(driver, server, screenshot):
    driver.set_window_size(390, 844)
    for path in ("/", "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListSets"):
        driver.get(server + path)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        assert width <= viewport, f"{path} is {width}px wide in a {viewport}px viewport"


def test_javascript_is_really_off(driver, screenshot):
    """The no-script claim above holds only if the setting works: a script must not run."""
    driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert driver.title == "off"
