#!/usr/bin/env python
"""Same as the `gongzhi` console script, for people used to Django."""

from gongzhi.cli import main

if __name__ == "__main__":
    main()
