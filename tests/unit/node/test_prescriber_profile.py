"""The prescriber's profile at `releve init` (issue #16; docs/protocol.md §19.1): written to
config.toml's [prescriber], read back into the contact card; checked, and only for a
physician's node."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.config import load
from node.core.config import NodeConfig
from node.core.context import NodeContext
from node.core.errors import SetupError
from node.paths import HomeLayout
from node.setup import init_home

PROFILE = {
    "name": "Dr Camille Martin",
    "rpps": "10001234565",
    "specialty": "Médecine générale",
    "address": "3 rue du Port\n29900 Concarneau",
    "email": "c.martin@cabinet.example.fr",
}


def test_the_profile_is_written_and_read_back(tmp_path: Path) -> None:
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", None, "02 98 00 00 00", PROFILE)
    config = load(layout, {}, {})
    assert (config.prescriber_name, config.rpps, config.email) == (
        "Dr Camille Martin",
        "10001234565",
        "c.martin@cabinet.example.fr",
    )
    assert config.address == "3 rue du Port\n29900 Concarneau"


@pytest.mark.parametrize(
    ("role", "changes", "code"),
    [
        ("pharmacist", {}, "not_prescriber"),
        ("gp", {"rpps": "10001234566"}, "invalid_rpps"),
        ("gp", {"email": "pas une adresse"}, "invalid_email"),
        ("gp", {"name": "Dr\x1b[31m"}, "invalid_name"),
    ],
)
def test_a_bad_profile_is_refused_before_anything_is_written(
    tmp_path: Path, role: str, changes: dict[str, str], code: str
) -> None:
    layout = HomeLayout(tmp_path / "home")
    with pytest.raises(SetupError) as caught:
        init_home(layout, "Dr Martin", role, None, "", {**PROFILE, **changes})
    assert caught.value.code == code
    assert not layout.config.exists()


def test_the_card_names_the_prescriber_only_for_a_physician() -> None:
    def profile(role: str) -> object:
        context = NodeContext.__new__(NodeContext)
        context.config = NodeConfig(
            name="Dr Martin", role=role, prescriber_name="Dr Camille Martin", rpps="10001234565"
        )
        return context.profile.prescriber

    prescriber = profile("gp")
    assert prescriber is not None
    assert profile("nurse") is None
    with pytest.raises(SetupError):
        NodeConfig(role="gp", rpps="123")
