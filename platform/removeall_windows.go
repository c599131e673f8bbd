package platform

const removeEntryByEntry = true
