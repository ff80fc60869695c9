"""Research results, patents and funded projects (the technology supply)."""
