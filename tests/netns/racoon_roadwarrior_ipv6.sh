#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# racoon_roadwarrior.sh over IPv6 (issue 15): the same gateway, clients,
# Aggressive and Main Mode, generated policies, INITIAL-CONTACT and the
# client with the wrong ID, every address an IPv6 one.
RW_FAMILY=6 exec bash "$(dirname "$0")/racoon_roadwarrior.sh"
