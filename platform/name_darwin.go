package platform

const name = "mac"
