"""The interface is Chinese by default, whatever the browser prefers, until the user switches."""

from django.test import Client


def test_english_browser_still_gets_chinese_until_it_switches(db):
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    page = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
