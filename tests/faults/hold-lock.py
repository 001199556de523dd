#!/usr/bin/env python3
"""Hold an SQLite database's write lock from another process, as a
backup or a careless sqlite3 session would: BEGIN EXCLUSIVE, touch
READY, then wait until RELEASE exists (at most MAX seconds) and roll back.

usage: hold-lock.py DB READY RELEASE [MAX]
"""
import os
import sqlite3
import sys
import time

db, ready, release = sys.argv[1:4]
limit = float(sys.argv[4]) if len(sys.argv) > 4 else 120
con = sqlite3.connect(db, isolation_level=None, timeout=10)
con.execute("BEGIN EXCLUSIVE")
# a write, so that the lock is the one a writer really takes
con.execute("PRAGMA user_version")
open(ready, "w").close()
end = time.monotonic() + limit
while not os.path.exists(release) and time.monotonic() < end:
    time.sleep(0.05)
con.execute("ROLLBACK")
con.close()
