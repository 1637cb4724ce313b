"""MongoDB access: connection with retries, the document shape, sync and change detection."""
