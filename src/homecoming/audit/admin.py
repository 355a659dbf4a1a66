# The audit log is read through its own viewer (homecoming.audit.views), never edited in the admin.
