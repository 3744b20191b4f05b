"""A fake Selling Partner API on 127.0.0.1 serving the generator's world, as Amazon's JSON."""
from demo.fake_spapi.data import (
    FakeData,
    FakeLine,
    FakeSeller,
    FakeSettlement,
    FakeStore,
    build_fake_data,
    fake_data_from_inbox,
    fake_data_from_world,
)
from demo.fake_spapi.server import FAULTS, FakeSpApi

__all__ = ["FAULTS", "FakeData", "FakeLine", "FakeSeller", "FakeSettlement", "FakeSpApi", "FakeStore",
           "build_fake_data", "fake_data_from_inbox", "fake_data_from_world"]
