import os

from fastapi import FastAPI

app = FastAPI(title="notes")


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "service": "notes", "uid": os.getuid()}
