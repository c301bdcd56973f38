output "fingerprints" {
  description = "Team member => fingerprint Nova computed (MD5, as `ssh-keygen -l -E md5` prints it)."
  value       = { for member, kp in nova_keypair.member : member => kp.fingerprint }
}

output "names" {
  description = "Team member => keypair name, to pass to servers."
  value       = { for member, kp in nova_keypair.member : member => kp.name }
}
