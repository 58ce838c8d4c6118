"""Cross-cutting pieces with no domain logic: settings, errors, money, clock, i18n, audit."""
