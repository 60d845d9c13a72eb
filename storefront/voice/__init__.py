"""Her voice: recorded stories of garments and of herself, with transcripts and translations."""
