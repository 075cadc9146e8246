#!/usr/bin/python3
"""web_browser: two desk staff work the desk in real headless Chromium (chromium,
chromium-driver and python3-selenium from Debian). Driven by tests/web_browser.sh,
which sets the stack up and passes what it made in the environment (WB_*).

Sam opens a case logged from real mail, comments, assigns it and resolves it; Priya,
with the queue open, sees it change without reloading, and sees a case that arrives
by mail meanwhile appear; hostile mail shows as text (no script runs, no image or
javascript: link appears); Priya, without caselog_safeguarding, is refused the
confidential case by URL. Screenshots of the queue and a case go to WB_SHOTS."""
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def settled_wait(driver, timeout, poll_frequency=0.5):
    """A wait that reads the page again when the live queue replaced the element it was
    reading (Server-Sent Events swap the queue in while a check reads it)."""
    return WebDriverWait(driver, timeout, poll_frequency=poll_frequency,
                         ignored_exceptions=(StaleElementReferenceException,))


def settled(read, tries=10):
    """read() again if the live queue replaced what it read meanwhile."""
    for _ in range(tries - 1):
        try:
            return read()
        except StaleElementReferenceException:
            time.sleep(0.1)
    return read()


env = os.environ
base = env["WB_BASE"]
passed = failed = 0


def check(name, expected, actual):
    global passed, failed
    if expected == actual:
        print("ok: %s (%s)" % (name, actual))
        passed += 1
    else:
        print("FAILED: %s: expected %r, got %r" % (name, expected, actual))
        failed += 1


def browser(profile):
    opts = Options()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1360,900", "--user-data-dir=" + profile):
        opts.add_argument(arg)
    opts.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(60)
    return driver


def sign_in(driver, role, password):
    driver.get(base + "/")  # not signed in: sent to the sign-in page
    driver.find_element(By.NAME, "role").send_keys(role)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    settled_wait(driver, 20).until(lambda d: d.find_elements(By.ID, "queue"))


def submit(driver, action, fields, done):
    """Fill and send the case page's form for action; wait for the case page it leads to."""
    form = driver.find_element(By.CSS_SELECTOR, 'form[action$="/%s"]' % action)
    for name, value in fields.items():
        box = form.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button").click()
    try:  # the POST's 303 leads to the case page saying what was done
        settled_wait(driver, 30, poll_frequency=0.1).until(
            lambda d: d.current_url.endswith("done=" + done)
            and d.execute_script("return document.readyState") == "complete")
    except TimeoutException:
        print("info: %s: after 30 s the browser is at %s" % (action, driver.current_url))
    check("%s: done" % action, True, driver.current_url.endswith("done=" + done))


def queue_row_state(driver, ref):
    rows = driver.find_elements(By.XPATH, '//section[@id="queue"]//tr[td/a[text()="%s"]]/td[3]' % ref)
    return rows[0].text if rows else None


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def main():
    shots = env["WB_SHOTS"]
    os.makedirs(shots, exist_ok=True)
    profiles = tempfile.mkdtemp()
    sam = browser(os.path.join(profiles, "sam"))
    priya = browser(os.path.join(profiles, "priya"))
    try:
        run(sam, priya, shots)
    finally:
        sam.quit()
        priya.quit()
    print("web_browser: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run(sam, priya, shots):
    ref, hostile, secret = env["WB_REF"], env["WB_HOSTILE"], env["WB_CONFIDENTIAL"]
    sign_in(priya, env["WB_PRIYA"], env["WB_PRIYA_PW"])
    check("Priya's queue lists the case", "open", queue_row_state(priya, ref))
    priya.execute_script("window.caselogStay = 42;")  # gone if the page is ever reloaded
    sign_in(sam, env["WB_SAM"], env["WB_SAM_PW"])
    sam.save_screenshot(os.path.join(shots, "queue.png"))

    # Sam works the case logged from real mail.
    sam.find_element(By.LINK_TEXT, ref).click()
    settled_wait(sam, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.thread"))
    check("the mail's own text is on the case", True, "Kyocera in room 12" in sam.find_element(By.CSS_SELECTOR, "section.thread").text)
    submit(sam, "comment", {"text": "An engineer will look at the Kyocera today. " + env["WB_TAG"]}, "comment")
    check("the comment is on the case", True, env["WB_TAG"] in sam.find_element(By.CSS_SELECTOR, "section.thread").text)
    submit(sam, "assign", {}, "assigned")
    submit(sam, "resolve", {"text": "Replaced the pickup roller."}, "resolved")
    check("resolved, in words", "resolved", sam.find_element(By.CSS_SELECTOR, ".badges .state").text)
    sam.set_window_size(1360, 1900)  # the thread too
    sam.save_screenshot(os.path.join(shots, "case.png"))
    sam.set_window_size(1360, 900)

    # Priya sees it without reloading.
    started = time.time()
    try:
        settled_wait(priya, 20, poll_frequency=0.1).until(lambda d: queue_row_state(d, ref) == "resolved")
        print("info: the queue showed the change %.1f s after the resolve" % (time.time() - started))
    except TimeoutException:
        pass
    check("Priya's open queue shows it resolved", "resolved", settled(lambda: queue_row_state(priya, ref)))
    check("without a reload", 42, priya.execute_script("return window.caselogStay;"))

    # A case that arrives by mail appears on her queue too.
    subprocess.run(env["WB_NEW_MAIL"], shell=True, check=True)
    started = time.time()
    subject = "New projector " + env["WB_TAG"]
    try:
        settled_wait(priya, 30, poll_frequency=0.1).until(
            lambda d: subject in d.find_element(By.ID, "queue").text)
        print("info: the new case appeared %.1f s after the mail was delivered" % (time.time() - started))
    except TimeoutException:
        pass
    check("a new case by mail appears on the open queue", True,
          settled(lambda: subject in priya.find_element(By.ID, "queue").text))
    check("still without a reload", 42, priya.execute_script("return window.caselogStay;"))

    # An outage: Sam makes the new case a major incident, links the hostile case to it
    # from its page, and sends one update to both schools.
    new_ref = settled(lambda: priya.find_element(
        By.XPATH, '//section[@id="queue"]//tr[td[contains(., "%s")]]//a' % subject).text)
    sam.get(base + "/case/" + new_ref)
    submit(sam, "link", {"refs": hostile.lower()}, "linked")
    check("the incident counts its linked case", True,
          "1 linked case" in sam.find_element(By.CSS_SELECTOR, "dl.fields").text)
    form = sam.find_element(By.CSS_SELECTOR, 'form[action$="/comment"]')
    form.find_element(By.NAME, "text").send_keys("The projectors are being replaced across the trust. " + env["WB_TAG"])
    form.find_element(By.CSS_SELECTOR, 'input[name="all"]').click()
    form.find_element(By.CSS_SELECTOR, "button").click()
    settled_wait(sam, 30, poll_frequency=0.1).until(lambda d: d.current_url.endswith("done=comment_all"))
    check("the update went to every linked case", True, "every open linked case" in sam.find_element(By.CSS_SELECTOR, ".notice.done").text)
    sam.set_window_size(1360, 1900)
    sam.save_screenshot(os.path.join(shots, "incident.png"))
    sam.set_window_size(1360, 900)
    sam.get(base + "/case/" + hostile)
    check("the linked case names its incident", True, new_ref in sam.find_element(By.CSS_SELECTOR, "dl.fields").text)
    check("and carries the update", True,
          "projectors are being replaced" in sam.find_element(By.CSS_SELECTOR, "section.thread").text)

    # Hostile mail is text.
    sam.get(base + "/case/" + hostile)
    thread = sam.find_element(By.CSS_SELECTOR, "section.thread")
    check("no script ran (no alert)", True, no_alert(sam))
    check("the hostile subject shows as text", True, '<script>alert("subject")</script>' in sam.find_element(By.TAG_NAME, "h1").text)
    check("the hostile body shows as text", True, 'href="javascript:alert(3)"' in thread.text)
    check("no image in the thread", 0, len(thread.find_elements(By.TAG_NAME, "img")))
    check("no javascript: link anywhere", 0, len(sam.find_elements(By.CSS_SELECTOR, 'a[href^="javascript"]')))
    check("no script of the mail's", ["/static/app.js"],
          [s.get_attribute("src").split("?")[0].replace(base, "") for s in sam.find_elements(By.TAG_NAME, "script")])

    # The confidential case, by URL.
    priya.get(base + "/case/" + secret)
    check("Priya is refused the confidential case", True, "no such case" in priya.find_element(By.TAG_NAME, "main").text.lower())
    check("and sees nothing of it", False, "worrying" in priya.page_source)
    sam.get(base + "/case/" + secret)
    check("Sam (safeguarding) reads it", True, "worrying" in sam.find_element(By.CSS_SELECTOR, "section.thread").text)


if __name__ == "__main__":
    sys.exit(main())
