#!/usr/bin/env python
"""Same as the `govcx` console command."""

from govcx.cli import main

if __name__ == "__main__":
    main()
