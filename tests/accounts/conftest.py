from tests.accounts.util import fast_hashing  # noqa: F401
