"""dashboards: the KPI figures staff and partners both look at, read from the data over a
window of months that ends at the program's latest activity."""
