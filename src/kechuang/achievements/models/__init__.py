"""Research results: the technology supply (results, patents) and funded projects. One module per
concern; this package re-exports them. (Their rights, valuation and exchange listings are the
`rights` app's.)"""

from .supply import *  # noqa: F403
