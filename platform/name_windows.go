package platform

const name = "win"
