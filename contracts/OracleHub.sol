// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title OracleHub
/// @notice Owner-set fiat rates. `rate` is the fiat amount (IDR, 18 decimals) that one whole token
/// is worth; address(0) stands for the native coin (18 decimals).
contract OracleHub is Ownable2Step, Pausable {
    struct Rate {
        uint256 rate;
        uint8 decimals;
    }

    mapping(address => Rate) private _rates;

    event RateUpdated(address indexed token, uint256 rate);

    error InvalidRate();
    error UnsupportedToken(address token);

    constructor(address initialOwner) Ownable(initialOwner) {}

    function setRate(address token, uint256 rate) external onlyOwner whenNotPaused {
        if (rate == 0) revert InvalidRate();
        uint8 decimals = token == address(0) ? 18 : IERC20Metadata(token).decimals();
        _rates[token] = Rate(rate, decimals);
        emit RateUpdated(token, rate);
    }

    function rateOf(address token) external view returns (uint256 rate, uint8 decimals) {
        Rate memory r = _rates[token];
        return (r.rate, r.decimals);
    }

    /// @notice Token amount (smallest unit) for a fiat amount, rounded up so the merchant is never short.
    function quote(address token, uint256 fiatAmount) external view whenNotPaused returns (uint256) {
        Rate memory r = _rates[token];
        if (r.rate == 0) revert UnsupportedToken(token);
        return Math.mulDiv(fiatAmount, 10 ** r.decimals, r.rate, Math.Rounding.Ceil);
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }
}
