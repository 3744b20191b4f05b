"""A fake Selling Partner API on 127.0.0.1 serving data consistent with the generated settlement files."""
from demo.fake_spapi.data import FakeData, FakeSeller, FakeStore, build_fake_data, fake_data_from_inbox
from demo.fake_spapi.server import FAULTS, FakeSpApi

__all__ = ["FAULTS", "FakeData", "FakeSeller", "FakeSpApi", "FakeStore", "build_fake_data", "fake_data_from_inbox"]
