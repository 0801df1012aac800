"""The staff studio: where employees find and write their posts."""
