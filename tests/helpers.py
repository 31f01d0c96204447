"""Small helpers the tests share."""


def downloaded(response) -> bytes:
    """A response's body, streamed (an export) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def downloaded_text(response) -> str:
    """A CSV download as text, without the byte-order mark written for Excel."""
    return downloaded(response).decode("utf-8-sig")
