variable "prefix" {
  description = "Prefix of every keypair name, e.g. the team's name."
  type        = string
}

variable "public_keys" {
  description = "Team member => OpenSSH public key (e.g. file(\"keys/alice.pub\"))."
  type        = map(string)
}
