"""What a learner takes away besides the signed credential: a printable PDF certificate and a
European Learning Model (Europass) copy, both made from one :class:`~.record.CredentialRecord`."""
