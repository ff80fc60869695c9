"""Research results: the technology supply (results, patents, funded projects) and their rights
empowerment (赋权) and market valuation. One module per concern; this package re-exports them."""

from .rights import *  # noqa: F403
from .supply import *  # noqa: F403
