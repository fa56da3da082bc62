from tests.conftest_itc import itc_dir  # noqa: F401  (fixture)
