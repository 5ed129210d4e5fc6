"""audit-explorer: browse, query and debug the Kubernaut audit trail."""

__version__ = "0.1.0"
