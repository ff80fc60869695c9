"""The load scenario of `benchmarks/load_serve.py` (issue 15): visitors browse, search, match and
run the policy self-check; enterprise users sign in and submit technology contracts.

Run by load_serve.py, which prepares the database and passes what the scenario needs in
KECHUANG_LOAD_FIXTURE (a JSON file: ids to visit, an API token, the enterprise's credit code).
Each request is named after its page, so locust reports percentiles per page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

FIXTURE = json.loads(open(os.environ["KECHUANG_LOAD_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
QUERIES = ["科技", "电池", "材料", "传感器", "芯片", "医药", "智能", "新能源"]
PROBLEMS = [
    "需要提高固态电池电解质的稳定性，解决锂枝晶问题",
    "低功耗物联网传感器芯片设计",
    "污水处理中的膜污染控制技术",
    "基于深度学习的图像识别算法用于工业质检",
    "高强度铝合金焊接工艺",
    "光伏组件生产线自动化改造",
]
CHECK = FIXTURE["policy_check"]
_serial = itertools.count(1)


class Visitor(HttpUser):
    """Browses and searches the public registries, asks for matches and runs the self-check."""

    weight = 4
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.api = {"Authorization": f"Bearer {FIXTURE['token']}"}

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def organisations(self) -> None:
        self.client.get(f"/organisations/?q={random.choice(QUERIES)}", name="organisation search")

    @task(3)
    def organisation(self) -> None:
        self.client.get(
            f"/organisations/{random.choice(FIXTURE['organisations'])}/", name="organisation detail"
        )

    @task(3)
    def supplies(self) -> None:
        self.client.get(f"/achievements/?q={random.choice(QUERIES)}", name="technology search")

    @task(2)
    def supply(self) -> None:
        self.client.get(f"/achievements/{random.choice(FIXTURE['supplies'])}/", name="technology detail")

    @task(2)
    def experts(self) -> None:
        self.client.get(f"/matching/experts/?q={random.choice(QUERIES)}", name="expert search")

    @task(1)
    def policies(self) -> None:
        self.client.get("/policies/", name="policy library")

    @task(2)
    def match(self) -> None:
        body = {"text": random.choice(PROBLEMS), "kind": random.choice(["supply", "supply", "expert"])}
        self.client.post("/api/v1/matching/match", json=body, headers=self.api, name="API match")

    @task(1)
    def self_check(self) -> None:
        self.client.post("/api/v1/policies/check", json=CHECK, headers=self.api, name="API policy self-check")


class Enterprise(HttpUser):
    """Signs in (the web form), reads its pages and submits technology contracts (API)."""

    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post("/accounts/login/", name="sign in", data={
            "username": FIXTURE["username"], "password": FIXTURE["password"],
            "csrfmiddlewaretoken": token.group(1) if token else ""}, headers={"Referer": self.host + "/accounts/login/"})  # fmt: skip
        self.api = {"Authorization": f"Bearer {FIXTURE['token']}"}

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="home (signed in)")

    @task(2)
    def own_organisation(self) -> None:
        self.client.get(f"/organisations/{FIXTURE['own_organisation']}/", name="own organisation (facts)")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/inbox/", name="inbox")

    @task(1)
    def my_contracts(self) -> None:
        self.client.get("/contracts/mine/", name="my contracts")

    @task(2)
    def submit_contract(self) -> None:
        n = f"{os.getpid()}-{next(_serial)}-{random.randrange(10**9)}"
        body = dict(FIXTURE["contract"], number=f"LOAD-{n}", client_key=f"load-{n}")
        with self.client.post("/api/v1/contracts/contracts", json=body, headers=self.api, name="API submit contract",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:300]}")
