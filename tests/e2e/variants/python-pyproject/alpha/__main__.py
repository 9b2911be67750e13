import sys
import time

import beta
import six

if sys.argv[1:] == ["serve"]:
    while True:
        time.sleep(3600)
print(f"alpha ok: {beta.NAME} six={six.__version__}")
