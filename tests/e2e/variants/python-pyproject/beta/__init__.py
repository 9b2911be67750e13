NAME = "beta from a second top-level package"
